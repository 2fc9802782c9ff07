import type { Preprocessing } from '../../../src/lib/ml/types';
import { api, ok, sha256 } from '../v1/fixtures';

/** Registering servable versions through the /api/v1 routes, as the notebook and an exporter would. */

export async function upload(bytes: Uint8Array, token?: string): Promise<string> {
	const sha = await sha256(bytes);
	const res = await api(`/api/v1/blobs/${sha}`, {
		method: 'PUT',
		body: bytes,
		headers: { 'content-type': 'application/octet-stream' },
		token
	});
	if (res.status !== 201 && res.status !== 200) throw new Error(`upload: ${res.status} ${await res.text()}`);
	return sha;
}

/** Creates the model if needed and one version of it; returns the version number. */
export async function register(
	model: string,
	opts: { sha?: string | null; prep?: Preprocessing | null; token?: string }
): Promise<number> {
	const res = await api('/api/v1/models', { method: 'POST', json: { name: model }, token: opts.token });
	if (res.status !== 201 && res.status !== 409) throw new Error(`model: ${res.status} ${await res.text()}`);
	const v = await ok<{ version: number }>(`/api/v1/models/${model}/versions`, {
		method: 'POST',
		json: {
			artifactSha256: opts.sha ?? null,
			signature: opts.prep ? { preprocessing: opts.prep } : null
		},
		status: 201,
		token: opts.token
	});
	return v.version;
}

export const predictPath = (model: string, version: number | string) =>
	`/api/v1/models/${model}/versions/${version}/predict`;

export const softmax = (logits: number[]) => {
	const e = logits.map(Math.exp);
	const s = e.reduce((a, b) => a + b, 0);
	return e.map((v) => v / s);
};

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
