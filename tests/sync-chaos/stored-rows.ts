import type { EdgebookDB } from '$lib/tracking/db';

/**
 * What the registry STORED (read back through /api/v1, not its change feed) and what a browser stored, in one
 * comparable shape: per run its status, params, every metric point and its artifacts; per model its versions
 * and aliases. Points are compared one by one (sorted), so a lost, doubled or altered point shows as itself.
 */

export interface StoredRun {
	name: string;
	status: string;
	params: Record<string, string>;
	points: string[];
	artifacts: string[];
}
export interface StoredModel {
	/** version id → `number source-run artifact-sha` */
	versions: Record<string, string>;
	/** alias → version id */
	aliases: Record<string, string>;
}
export interface Stored {
	runs: Record<string, StoredRun>;
	models: Record<string, StoredModel>;
}

const pointLine = (key: string, p: { step: number; timestamp: number; value: number }) =>
	`${key} ${p.step} ${p.timestamp} ${p.value}`;
const artifactLine = (a: { name: string; sha256: string; bytes: number }) =>
	`${a.name} ${a.sha256} ${a.bytes}`;
const versionLine = (v: {
	version: number | null;
	sourceRunId: string | null;
	artifactSha256: string | null;
}) => `${v.version} ${v.sourceRunId} ${v.artifactSha256}`;

export async function fromRegistry(url: string, token: string, runIds: string[], models: string[]) {
	const get = async <T>(path: string): Promise<T> => {
		const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
		if (!res.ok) throw new Error(`GET ${path} → ${res.status} ${await res.text()}`);
		return (await res.json()) as T;
	};
	const out: Stored = { runs: {}, models: {} };
	for (const id of runIds) {
		const run = await get<{
			name: string;
			status: string;
			params: Record<string, string>;
			metrics: { key: string }[];
			artifacts: { name: string; sha256: string; bytes: number }[];
		}>(`/api/v1/runs/${id}`);
		const points: string[] = [];
		for (const { key } of run.metrics) {
			const h = await get<{ points: { step: number; timestamp: number; value: number }[] }>(
				`/api/v1/runs/${id}/metrics/${encodeURIComponent(key)}`
			);
			points.push(...h.points.map((p) => pointLine(key, p)));
		}
		out.runs[id] = {
			name: run.name,
			status: run.status,
			params: run.params,
			points: points.sort(),
			artifacts: run.artifacts.map(artifactLine).sort()
		};
	}
	for (const name of models) {
		const m = await get<{
			aliases: Record<string, number>;
			versions: { id: string; version: number; sourceRunId: string | null; artifactSha256: string | null }[];
		}>(`/api/v1/models/${encodeURIComponent(name)}`);
		const idOf = new Map(m.versions.map((v) => [v.version, v.id]));
		out.models[name] = {
			versions: Object.fromEntries(m.versions.map((v) => [v.id, versionLine(v)])),
			aliases: Object.fromEntries(Object.entries(m.aliases).map(([a, n]) => [a, idOf.get(n) ?? `?${n}`]))
		};
	}
	return out;
}

export async function fromBrowser(d: EdgebookDB, models: string[]): Promise<Stored> {
	const out: Stored = { runs: {}, models: {} };
	const metrics = await d.metrics.toArray();
	for (const r of await d.runs.toArray()) {
		const points = metrics.filter((p) => p.runId === r.id).map((p) => pointLine(p.key, p));
		const artifacts = await d.artifacts.where('[runId+name]').between([r.id, ''], [r.id, '\uffff']).toArray();
		out.runs[r.id] = {
			name: r.name,
			status: r.status,
			params: r.params,
			points: points.sort(),
			artifacts: artifacts.map(artifactLine).sort()
		};
	}
	for (const name of models) {
		const m = await d.models.get(name);
		const versions = await d.modelVersions.where('modelName').equals(name).toArray();
		out.models[name] = {
			versions: Object.fromEntries(versions.map((v) => [v.id, versionLine(v)])),
			aliases: { ...m?.aliases }
		};
	}
	return out;
}
