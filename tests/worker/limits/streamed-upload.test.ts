import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../src/lib/contract';
import { testEnv, type ErrorJson } from '../helpers';
import { newExperiment, newRun, type MlflowErrorJson } from '../mlflow/helpers';
import { api, otherWorkspaceToken } from '../registry-helpers';
import { sha256, snapshot } from '../v1/fixtures';

/** PUT /api/v1/blobs (and MLflow's artifact PUT) streams the body through its digest into R2; these check what is (not) stored. */
const put = (sha: string, body: BodyInit | null, headers: Record<string, string> = {}, token?: string) =>
	api(`/api/v1/blobs/${sha}`, { method: 'PUT', body, headers, token, duplex: 'half' } as RequestInit);

async function state() {
	const listed = await testEnv.ARTIFACTS.list();
	const refs = await testEnv.DB.prepare('SELECT workspace_id, sha256 FROM blob_refs ORDER BY 1, 2').all();
	return { objects: listed.objects.map((o) => o.key), refs: refs.results, db: await snapshot(testEnv.DB) };
}

/** `size` bytes in `chunk`-sized pieces, each a different pattern, as a stream that says its length. */
function bigBody(
	size: number,
	chunk = 1 << 20
): { bytes: Uint8Array; stream: () => ReadableStream<Uint8Array> } {
	const bytes = new Uint8Array(size);
	for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 12)) & 0xff;
	const stream = () => {
		let at = 0;
		return new ReadableStream<Uint8Array>({
			pull(ctl) {
				if (at >= size) return ctl.close();
				ctl.enqueue(bytes.slice(at, at + chunk));
				at += chunk;
			}
		});
	};
	return { bytes, stream };
}

describe('PUT /blobs: streamed through the digest, stored only on a match', () => {
	it('a body whose hash differs from the path is 400 hash_mismatch and stores nothing', async () => {
		const good = new TextEncoder().encode('the real bytes');
		const sha = await sha256(good);
		const before = await state();
		const res = await put(sha, new TextEncoder().encode('other bytes!!!'));
		expect(res.status).toBe(400);
		const err = await res.json<ErrorJson>();
		expect(err.error.code).toBe('hash_mismatch');
		expect(err.error.details).toMatchObject({ expected: sha });
		expect(await state()).toEqual(before);
	});

	it('a wrong body for bytes already stored changes neither the object nor any reference', async () => {
		const good = new TextEncoder().encode('stored once');
		const sha = await sha256(good);
		expect((await put(sha, good)).status).toBe(201);
		const other = await otherWorkspaceToken('ws_stream', ['write', 'read']);
		const before = await state();
		expect((await put(sha, new TextEncoder().encode('stored twice'), {}, other)).status).toBe(400);
		expect(await state()).toEqual(before);
		expect(await (await testEnv.ARTIFACTS.get(`blobs/${sha}`))!.text()).toBe('stored once');
	});

	it('a wrong and a right upload of one hash at once: the right bytes are what is stored', async () => {
		const good = new TextEncoder().encode('racing bytes');
		const sha = await sha256(good);
		const [a, b] = await Promise.all([put(sha, new TextEncoder().encode('racing bytez')), put(sha, good)]);
		expect([a.status, b.status]).toEqual([400, 201]);
		expect(await (await testEnv.ARTIFACTS.get(`blobs/${sha}`))!.text()).toBe('racing bytes');
	});

	it('a 24 MiB body in 1 MiB chunks is stored whole and reads back the same', async () => {
		const { bytes, stream } = bigBody(24 << 20);
		const sha = await sha256(bytes);
		const res = await put(sha, stream(), { 'content-length': String(bytes.length) });
		expect(res.status, await res.clone().text()).toBe(201);
		expect(await res.json()).toMatchObject({ sha256: sha, bytes: bytes.length });
		const back = await api(`/api/v1/blobs/${sha}`);
		expect(await sha256(new Uint8Array(await back.arrayBuffer()))).toBe(sha);
	});

	it('a body without Content-Length is 411; one declared over the limit is 413; neither stores anything', async () => {
		const { bytes, stream } = bigBody(3 << 20);
		const sha = await sha256(bytes);
		const before = await state();
		const noLength = await put(sha, stream());
		expect(noLength.status).toBe(411);
		expect((await noLength.json<ErrorJson>()).error.code).toBe('length_required');
		const tooBig = await put(sha, stream(), { 'content-length': String(LIMITS.artifactBytes + 1) });
		expect(tooBig.status).toBe(413);
		expect(await state()).toEqual(before);
	});

	it('a body shorter than its Content-Length is 400 and stores nothing', async () => {
		const { bytes, stream } = bigBody(2 << 20);
		const sha = await sha256(bytes);
		const before = await state();
		const res = await put(sha, stream(), { 'content-length': String(bytes.length + 10) });
		expect(res.status).toBe(400);
		expect((await res.json<ErrorJson>()).error.message).toMatch(/Content-Length/);
		expect(await state()).toEqual(before);
	});
});

describe("MLflow's artifact proxy PUT: streamed too, staged under a key of its own", () => {
	async function runRoot(name: string) {
		const exp = await newExperiment(name);
		return `/api/2.0/mlflow-artifacts/artifacts/${exp}/${await newRun(exp)}/artifacts`;
	}
	const objectKeys = async () => (await testEnv.ARTIFACTS.list()).objects.map((o) => o.key);

	it('a 24 MiB streamed upload is stored once by content, and no staging object is left', async () => {
		const root = await runRoot('stream-big');
		const { bytes, stream } = bigBody(24 << 20);
		const sha = await sha256(bytes);
		for (const name of ['a.bin', 'b.bin']) {
			const res = await api(`${root}/${name}`, {
				method: 'PUT',
				body: stream(),
				headers: { 'content-length': String(bytes.length) },
				duplex: 'half'
			} as RequestInit);
			expect(res.status, await res.clone().text()).toBe(200);
		}
		expect((await objectKeys()).filter((k) => !k.startsWith('blobs/'))).toEqual([]);
		expect((await objectKeys()).filter((k) => k === `blobs/${sha}`)).toHaveLength(1);
		const back = await api(`${root}/b.bin`);
		expect(await sha256(new Uint8Array(await back.arrayBuffer()))).toBe(sha);
	});

	it("a body without Content-Length is 411 in MLflow's shape, and nothing is stored", async () => {
		const root = await runRoot('stream-411');
		const before = await state();
		const res = await api(`${root}/x.bin`, {
			method: 'PUT',
			body: bigBody(1 << 20).stream(),
			duplex: 'half'
		} as RequestInit);
		expect(res.status).toBe(411);
		expect(await res.json<MlflowErrorJson>()).toMatchObject({ error_code: 'BAD_REQUEST' });
		expect(await state()).toEqual(before);
	});
});
