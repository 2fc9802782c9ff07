import Dexie from 'dexie';
import { canEnd, liveRun } from './access';
import { db, type EdgebookDB } from './db';
import { guardStorage, TrackingError } from './errors';
import { newId } from './ids';
import { appendMetrics } from './metrics';
import { artifactSchema, type Artifact, type EndStatus, type Run } from './run-schema';
import { checkArtifactName, checkKey } from './validate';
import { record, runLog } from './outbox';
import { artifactLink } from './run-mutations';

/** Files of a run (model.json, weights.bin, preprocessing.json, evaluation.json), stored as Blobs. */

export interface ArtifactInput {
	/** A relative path inside the run; saving a name again replaces that file, as an artifact path does in MLflow. */
	name: string;
	mediaType: string;
	data: Blob | ArrayBuffer | ArrayBufferView | string;
}

export async function toBytes(data: ArtifactInput['data']): Promise<Uint8Array<ArrayBuffer>> {
	if (typeof data === 'string') return new TextEncoder().encode(data);
	if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
	const view = ArrayBuffer.isView(data)
		? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
		: new Uint8Array(data);
	return new Uint8Array(view); // a copy: the caller may reuse or transfer its buffer
}

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
	return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Everything async (reading Blobs, hashing) happens before the transaction, which must not await anything else. */
export async function prepareArtifacts(runId: string, files: readonly ArtifactInput[]): Promise<Artifact[]> {
	const seen = new Set<string>();
	for (const f of files) {
		checkArtifactName(f.name);
		if (seen.has(f.name))
			throw new TrackingError('InvalidKey', `The artifact "${f.name}" is listed twice in one save.`);
		seen.add(f.name);
	}
	return Promise.all(
		files.map(async (f) => {
			const bytes = await toBytes(f.data);
			return {
				id: newId('art'),
				runId,
				name: f.name,
				mediaType: f.mediaType,
				bytes: bytes.byteLength,
				sha256: await sha256Hex(bytes),
				blob: new Blob([bytes], { type: f.mediaType })
			};
		})
	);
}

/** Inside the caller's transaction: replace same-named files, then add. */
export async function putArtifacts(d: EdgebookDB, artifacts: Artifact[]): Promise<void> {
	for (const a of artifacts) await d.artifacts.where('[runId+name]').equals([a.runId, a.name]).delete();
	await d.artifacts.bulkAdd(artifacts);
}

const total = (artifacts: Artifact[]) => artifacts.reduce((n, a) => n + a.bytes, 0) + 1024;

export async function saveArtifacts(runId: string, files: readonly ArtifactInput[]): Promise<Artifact[]> {
	const artifacts = await prepareArtifacts(runId, files);
	const d = db();
	await guardStorage(`saving ${artifacts.length} run files`, total(artifacts), () =>
		d.transaction('rw', d.runs, d.artifacts, d.outbox, async () => {
			await liveRun(d, runId);
			await putArtifacts(d, artifacts);
			await record(d, artifacts.map(artifactLink));
		})
	);
	return artifacts;
}

export interface FinishWithArtifacts {
	status: EndStatus;
	artifacts: readonly ArtifactInput[];
	/**
	 * Final values (e.g. test-set scores). Each becomes the key's summary value and is also logged as a point at the
	 * key's latest step (0 for a new key), so the summary and the metric history agree.
	 */
	summary?: Record<string, number>;
}

/**
 * End a run and store its files in ONE transaction: if any write fails (the browser out of space, most likely),
 * nothing is kept, and the run stays as it was, never 'finished' with half its model.
 */
export async function finishRunWithArtifacts(runId: string, options: FinishWithArtifacts): Promise<Run> {
	const artifacts = await prepareArtifacts(runId, options.artifacts);
	const now = Date.now();
	const summaryRows = Object.entries(options.summary ?? {}).map(([key, value]) => {
		checkKey('metric', key);
		if (!Number.isFinite(value))
			throw new TrackingError(
				'InvalidMetric',
				`The final value of "${key}" is ${value}; only finite numbers.`
			);
		return { runId, key, value, timestamp: now, step: 0 };
	});
	const d = db();
	return guardStorage('saving this run', total(artifacts), () =>
		d.transaction('rw', d.runs, d.artifacts, d.metrics, d.outbox, async () => {
			let run = await liveRun(d, runId);
			if (!canEnd(run, options.status)) throw endedError(run);
			await putArtifacts(d, artifacts);
			for (const r of summaryRows) r.step = run.summaryAt[r.key]?.step ?? 0;
			run = await appendMetrics(d, run, summaryRows);
			await d.runs.update(runId, { status: options.status, endedAt: now, heartbeatAt: now });
			await record(
				d,
				[
					...artifacts.map(artifactLink),
					...runLog(runId, { metrics: summaryRows }),
					{ type: 'run.update', runId, status: options.status, endedAt: now }
				],
				now
			);
			return { ...run, status: options.status, endedAt: now, heartbeatAt: now };
		})
	);
}

// Finishing twice with files would replace the first files silently: refuse it even for the same status.
const endedError = (run: Run) =>
	new TrackingError('RunEnded', `Run "${run.name}" already ended as ${run.status}.`, { runId: run.id });

/** Every file of a run, ordered by name. */
export function runArtifactsRange(d: EdgebookDB, runId: string) {
	return d.artifacts.where('[runId+name]').between([runId, Dexie.minKey], [runId, Dexie.maxKey]);
}

/** A run's files, by name. Damaged records are left out. */
export async function artifactsOf(runId: string): Promise<Artifact[]> {
	const rows = await runArtifactsRange(db(), runId).toArray();
	return rows.flatMap((r) => {
		const parsed = artifactSchema.safeParse(r);
		return parsed.success ? [parsed.data] : [];
	});
}
