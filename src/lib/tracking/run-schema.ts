import { z } from 'zod';
import { RUN_STATUSES, lineageSchema, sha256Hex } from '$lib/contract/records';

/**
 * The stored shapes of experiments, runs and artifacts. Reads from IndexedDB and imported run files are a trust
 * boundary (docs/architecture.md, Conventions): a damaged record is reported by name instead of breaking the runs table. Plain zod,
 * no dexie: the registry contract can reuse these when runs are synced.
 */

// Statuses, hashes and lineage are the registry contract's own shapes: a stored run syncs as it is.
export { RUN_STATUSES, lineageSchema, type Lineage } from '$lib/contract/records';
export type RunStatus = (typeof RUN_STATUSES)[number];
/** What `finishRun` accepts; 'interrupted' is only set by `markInterruptedRuns`. */
export type EndStatus = Exclude<RunStatus, 'running' | 'interrupted'>;

const epochMs = z.number().int().nonnegative();
const stringMap = z.record(z.string(), z.string());

export const experimentSchema = z.object({
	id: z.string().min(1),
	name: z.string().min(1),
	createdAt: epochMs
});
export type Experiment = z.infer<typeof experimentSchema>;

/** Where a summary value came from, so "latest" follows MLflow (highest step, then newest timestamp). */
export const summarySourceSchema = z.object({ step: z.number().int(), timestamp: epochMs });
export type SummarySource = z.infer<typeof summarySourceSchema>;

export const runSchema = z.object({
	id: z.string().min(1),
	experimentId: z.string().min(1),
	/** A sweep's trials point at the sweep's parent run. */
	parentId: z.string().min(1).nullable(),
	status: z.enum(RUN_STATUSES),
	name: z.string(),
	startedAt: epochMs,
	endedAt: epochMs.nullable(),
	notebookId: z.string().nullable(),
	cellId: z.string().nullable(),
	deletedAt: epochMs.nullable(),
	/** MLflow: values as strings, immutable once logged. */
	params: stringMap,
	tags: stringMap.default({}),
	note: z.string().default(''),
	lineage: lineageSchema,
	/** Latest value per metric key, kept in step with `metrics` so the runs table never reads every point. */
	summary: z.record(z.string(), z.number()).default({}),
	summaryAt: z.record(z.string(), summarySourceSchema).default({}),
	heartbeatAt: epochMs,
	/** 'remote': pulled from the registry (made in another browser); left out for runs made here. */
	origin: z.enum(['local', 'remote']).optional()
});
export type Run = z.infer<typeof runSchema>;

export interface MetricRow {
	/** Auto-increment: also the arrival order of points logged at the same step. */
	id?: number;
	runId: string;
	key: string;
	step: number;
	timestamp: number;
	value: number;
}

export interface MetricPoint {
	step: number;
	timestamp: number;
	value: number;
}

export const artifactMetaSchema = z.object({
	id: z.string().min(1),
	runId: z.string().min(1),
	name: z.string().min(1),
	mediaType: z.string(),
	bytes: z.number().int().nonnegative(),
	sha256: sha256Hex
});
export type ArtifactMeta = z.infer<typeof artifactMetaSchema>;

export const artifactSchema = artifactMetaSchema.extend({ blob: z.instanceof(Blob) });
export type Artifact = z.infer<typeof artifactSchema>;

export { sha256Hex };
