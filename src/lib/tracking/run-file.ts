import { z } from 'zod';
import { findRun } from './access';
import { runArtifactsRange, sha256Hex } from './artifacts';
import { base64ToBytes, bytesToBase64 } from './base64';
import { db } from './db';
import { guardStorage, TrackingError } from './errors';
import { ensureExperiment } from './experiments';
import { newId } from './ids';
import { foldSummary, runMetricsRange } from './metrics';
import { record } from './outbox';
import { parentsFirst, wholeRun } from './run-mutations';
import {
	artifactMetaSchema,
	artifactSchema,
	runSchema,
	type Artifact,
	type MetricRow,
	type Run
} from './run-schema';

/**
 * The runs file: runs with their metrics and files, in an envelope that says what it is and which version wrote
 * it (as the notebook file does), so this app refuses newer files by name. An imported file is a trust boundary:
 * validated with the stored-run schema, every artifact checked against its sha-256, and written with fresh ids
 * in one transaction, so an import adds runs and never overwrites or half-writes any.
 */

export const RUNS_FILE_FORMAT = 'edgebook-runs';
export const RUNS_FORMAT_VERSION = 1;
export const MAX_RUNS_FILE_BYTES = 256 * 1024 * 1024;
/** Tag on an imported run: the id it had where it was exported. */
export const IMPORTED_FROM_TAG = 'edgebook.importedFrom';

export type RunsImportProblem =
	| 'empty'
	| 'too-large'
	| 'not-json'
	| 'notebook-file'
	| 'not-edgebook'
	| 'newer-version'
	| 'invalid'
	| 'checksum-mismatch'
	| 'storage-full';

const exportedMetric = z
	.object({
		key: z.string().min(1),
		steps: z.array(z.number().int()),
		timestamps: z.array(z.number().int().nonnegative()),
		values: z.array(z.number())
	})
	.refine((m) => m.steps.length === m.values.length && m.timestamps.length === m.values.length, {
		message: 'steps, timestamps and values must have the same length'
	});

const exportedArtifact = artifactMetaSchema.omit({ runId: true }).extend({ base64: z.string() });

const exportedRun = z.object({
	experimentName: z.string().min(1),
	run: runSchema,
	metrics: z.array(exportedMetric),
	artifacts: z.array(exportedArtifact)
});

export const runsFileSchema = z.object({
	format: z.literal(RUNS_FILE_FORMAT),
	formatVersion: z.literal(RUNS_FORMAT_VERSION),
	/** ISO 8601, for people reading the file; import ignores it. */
	exportedAt: z.string(),
	runs: z.array(exportedRun)
});
export type RunsFile = z.infer<typeof runsFileSchema>;
type ExportedRun = z.infer<typeof exportedRun>;

/** The runs and, unless `includeChildren` is false, their live descendants (a sweep travels with its trials). */
export async function exportRuns(options: {
	runIds: readonly string[];
	includeChildren?: boolean;
	now?: Date;
}): Promise<string> {
	const d = db();
	const runs: ExportedRun[] = [];
	const seen = new Set<string>();
	const queue = [...options.runIds];
	while (queue.length) {
		const id = queue.shift()!;
		if (seen.has(id)) continue;
		seen.add(id);
		const run = await findRun(d, id);
		const exp = await d.experiments.get(run.experimentId);
		const rows = await runMetricsRange(d, id).toArray();
		const metrics = new Map<string, z.infer<typeof exportedMetric>>();
		for (const r of rows) {
			let m = metrics.get(r.key);
			if (!m) metrics.set(r.key, (m = { key: r.key, steps: [], timestamps: [], values: [] }));
			m.steps.push(r.step);
			m.timestamps.push(r.timestamp);
			m.values.push(r.value);
		}
		const stored = await runArtifactsRange(d, id).toArray();
		const artifacts = await Promise.all(
			stored.map(async (raw) => {
				const a = artifactSchema.parse(raw);
				const bytes = new Uint8Array(await a.blob.arrayBuffer());
				const { id: artifactId, name, mediaType, sha256 } = a;
				return {
					id: artifactId,
					name,
					mediaType,
					bytes: bytes.byteLength,
					sha256,
					base64: bytesToBase64(bytes)
				};
			})
		);
		runs.push({ experimentName: exp?.name ?? 'Imported', run, metrics: [...metrics.values()], artifacts });
		if (options.includeChildren !== false) {
			const children = await d.runs.where('parentId').equals(id).toArray();
			queue.push(...children.filter((c) => c.deletedAt == null).map((c) => c.id));
		}
	}
	const file: RunsFile = {
		format: RUNS_FILE_FORMAT,
		formatVersion: RUNS_FORMAT_VERSION,
		exportedAt: (options.now ?? new Date()).toISOString(),
		runs
	};
	return JSON.stringify(file);
}

export type ReadResult =
	{ ok: true; file: RunsFile } | { ok: false; code: RunsImportProblem; message: string };
export type ImportRunsResult =
	| { ok: true; runs: { from: string; to: string; name: string }[] }
	| { ok: false; code: RunsImportProblem; message: string };

const fail = (code: RunsImportProblem, message: string) => ({ ok: false as const, code, message });
const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parent links must stay inside the file's tree: no run its own ancestor. */
function parentCycle(runs: ExportedRun[]): string | null {
	const parentOf = new Map(runs.map((r) => [r.run.id, r.run.parentId]));
	for (const start of parentOf.keys()) {
		const seen = new Set<string>();
		for (let id: string | null | undefined = start; id != null; id = parentOf.get(id)) {
			if (seen.has(id)) return start;
			seen.add(id);
		}
	}
	return null;
}

/** Validate a runs file and check every artifact against its declared size and sha-256. Writes nothing. */
export async function readRunsFile(text: string, fileName = 'The file'): Promise<ReadResult> {
	if (text.trim() === '') return fail('empty', `${fileName} is empty`);
	if (text.length > MAX_RUNS_FILE_BYTES)
		return fail(
			'too-large',
			`${fileName} is over ${MAX_RUNS_FILE_BYTES / 1024 / 1024} MB, the most a runs file can be`
		);
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch (e) {
		return fail('not-json', `${fileName} is not JSON: ${(e as Error).message}`);
	}
	if (isObject(data) && data.format === 'edgebook-notebook')
		return fail(
			'notebook-file',
			`${fileName} is an Edgebook notebook, not runs: open it from the notebooks page`
		);
	if (!isObject(data) || data.format !== RUNS_FILE_FORMAT)
		return fail(
			'not-edgebook',
			`${fileName} is not an Edgebook runs file (no "format": "${RUNS_FILE_FORMAT}")`
		);
	const version = data.formatVersion;
	if (typeof version === 'number' && Number.isInteger(version) && version > RUNS_FORMAT_VERSION)
		return fail(
			'newer-version',
			`${fileName} was saved by a newer Edgebook: runs format ${version}, this app reads up to ${RUNS_FORMAT_VERSION}. Update Edgebook to import it`
		);
	const parsed = runsFileSchema.safeParse(data);
	if (!parsed.success) {
		const [first, ...rest] = parsed.error.issues;
		const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
		return fail(
			'invalid',
			`${fileName} has invalid contents: ${first.path.join('.')}: ${first.message}${more}`
		);
	}
	const file = parsed.data;
	const ids = new Set<string>();
	for (const { run, artifacts } of file.runs) {
		if (ids.has(run.id)) return fail('invalid', `${fileName} lists the run ${run.id} twice`);
		ids.add(run.id);
		const names = new Set(artifacts.map((a) => a.name));
		if (names.size !== artifacts.length)
			return fail('invalid', `${fileName} has two files with the same name in run "${run.name}"`);
	}
	const loop = parentCycle(file.runs);
	if (loop) return fail('invalid', `${fileName} has a run that is its own ancestor (${loop})`);
	for (const { run, artifacts } of file.runs)
		for (const a of artifacts) {
			let bytes: Uint8Array<ArrayBuffer>;
			try {
				bytes = base64ToBytes(a.base64);
			} catch {
				return fail('invalid', `${fileName}: the file "${a.name}" of run "${run.name}" is not valid base64`);
			}
			if (bytes.byteLength !== a.bytes || (await sha256Hex(bytes)) !== a.sha256)
				return fail(
					'checksum-mismatch',
					`${fileName}: the file "${a.name}" of run "${run.name}" does not match its checksum; the export is damaged`
				);
		}
	return { ok: true, file };
}

/** Fresh ids for runs and files, parent links remapped (a parent left out of the file → top-level run). */
function remap(file: RunsFile) {
	const idOf = new Map(file.runs.map((r) => [r.run.id, newId('run')]));
	return file.runs.map(({ experimentName, run, metrics, artifacts }) => {
		const id = idOf.get(run.id)!;
		const rows: Omit<MetricRow, 'id'>[] = metrics.flatMap((m) =>
			m.values.map((value, i) => ({
				runId: id,
				key: m.key,
				step: m.steps[i],
				timestamp: m.timestamps[i],
				value
			}))
		);
		// A run exported while it was running will never heartbeat here.
		const interrupted = run.status === 'running';
		const record: Run = {
			...run,
			id,
			parentId: run.parentId ? (idOf.get(run.parentId) ?? null) : null,
			status: interrupted ? 'interrupted' : run.status,
			endedAt: interrupted ? (run.endedAt ?? run.heartbeatAt) : run.endedAt,
			deletedAt: null,
			tags: { ...run.tags, [IMPORTED_FROM_TAG]: run.id },
			// Recomputed from the points, so a hand-edited summary cannot disagree with the history.
			...foldSummary({ summary: {}, summaryAt: {} }, rows)
		};
		const files: Artifact[] = artifacts.map((a) => ({
			id: newId('art'),
			runId: id,
			name: a.name,
			mediaType: a.mediaType,
			bytes: a.bytes,
			sha256: a.sha256,
			blob: new Blob([base64ToBytes(a.base64)], { type: a.mediaType })
		}));
		return { experimentName, record, rows, files, from: run.id };
	});
}

/** Read, check and store a runs file, all or nothing. */
export async function importRunsFile(
	text: string,
	options: { fileName?: string } = {}
): Promise<ImportRunsResult> {
	const read = await readRunsFile(text, options.fileName);
	if (!read.ok) return read;
	const entries = remap(read.file);
	const needed = entries.reduce(
		(n, e) => n + e.files.reduce((m, f) => m + f.bytes, 0) + e.rows.length * 96,
		0
	);
	const d = db();
	try {
		await guardStorage(`importing ${entries.length} runs`, needed, () =>
			d.transaction('rw', d.experiments, d.runs, d.metrics, d.artifacts, d.outbox, async () => {
				for (const e of entries) {
					e.record.experimentId = (await ensureExperiment(d, e.experimentName)).id;
					await d.runs.add(e.record);
					await d.metrics.bulkAdd(e.rows);
					await d.artifacts.bulkAdd(e.files);
				}
				// Parents first: the registry refuses a child whose parent it does not hold yet.
				const byId = new Map(entries.map((e) => [e.record.id, e]));
				for (const run of parentsFirst(entries.map((e) => e.record))) {
					const e = byId.get(run.id)!;
					await record(d, wholeRun(e.record, e.rows, e.files));
				}
			})
		);
	} catch (e) {
		if (e instanceof TrackingError && e.name === 'StorageFull') return fail('storage-full', e.message);
		throw e;
	}
	return { ok: true, runs: entries.map((e) => ({ from: e.from, to: e.record.id, name: e.record.name })) };
}

/** `edgebook-runs-2026-11-22.json`, or the run's name when there is one run. */
export function runsFileName(runs: readonly Pick<Run, 'name'>[], now = new Date()): string {
	const slug = (runs.length === 1 ? runs[0].name : '')
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 60);
	return `${slug || `edgebook-runs-${now.toISOString().slice(0, 10)}`}.edgebook-runs.json`;
}
