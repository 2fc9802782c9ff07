import { z } from 'zod';
import { LIMITS } from './limits';

/**
 * Wire shapes of the registry's records (camelCase JSON under /api/v1 and in sync). The browser's IndexedDB
 * records and the D1 rows are mapped to and from these; MLflow's shapes live in workers/mlflow.
 */

export const epochMs = z.number().int().nonnegative().max(8.64e15);
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a sha-256 is 64 lowercase hex digits');
/** Client-generated ids (runs, experiments, mutations, versions): short, URL-safe, no slashes. */
export const idSchema = z
	.string()
	.min(1)
	.max(64)
	.regex(/^[A-Za-z0-9_-]+$/, 'an id has 1-64 letters, digits, _ or -');

/** MLflow's key rule (`^[/\w.\- :]*$`, Unicode \w) plus no empty, "." or ".." path segments. */
export const keySchema = z
	.string()
	.min(1, 'a key cannot be empty')
	.max(LIMITS.keyLength)
	.regex(/^[\p{L}\p{N}_/.\- :]+$/u, 'a key may only contain letters, digits, _ - . / : and spaces')
	.refine(
		(k) =>
			!k.startsWith('/') &&
			!k.endsWith('/') &&
			!k.split('/').some((p) => p === '' || p === '.' || p === '..'),
		'a key cannot start or end with "/" or contain empty, "." or ".." path segments'
	)
	// Keys become object keys in the browser and the Worker: "__proto__" would set a prototype, not a key.
	.refine((k) => k !== '__proto__', '"__proto__" is reserved');

export const nameSchema = z.string().trim().min(1).max(LIMITS.nameLength);
export const stringMapOf = (max: number, valueLength: number) =>
	z
		.record(keySchema, z.string().max(valueLength))
		.refine((m) => Object.keys(m).length <= max, `at most ${max} entries`);

export const RUN_STATUSES = ['running', 'finished', 'failed', 'cancelled', 'interrupted'] as const;
export const runStatusSchema = z.enum(RUN_STATUSES);

export const lineageSchema = z.object({
	dataFingerprint: z.object({
		query: z.string(),
		sources: z.array(z.object({ name: z.string(), sha256: z.string() })),
		rowCount: z.number().int().nonnegative(),
		schema: z.array(z.object({ name: z.string(), type: z.string() }))
	}),
	configHash: z.string(),
	seed: z.number(),
	environment: z.object({
		backend: z.string(),
		backendReason: z.string(),
		adapter: z.string().nullable(),
		userAgent: z.string(),
		libraries: z.record(z.string(), z.string())
	})
});
export type Lineage = z.infer<typeof lineageSchema>;

export const experimentWire = z.strictObject({ id: idSchema, name: nameSchema, createdAt: epochMs });
export type ExperimentWire = z.infer<typeof experimentWire>;

export const paramWire = z.strictObject({ key: keySchema, value: z.string().max(LIMITS.paramValueLength) });
export const tagWire = z.strictObject({ key: keySchema, value: z.string().max(LIMITS.tagValueLength) });
/** Finite values only on /api/v1 and in sync, as the browser logs them; MLflow's NaN and ±Inf are mapped there. */
export const metricWire = z.strictObject({
	key: keySchema,
	value: z.number().refine(Number.isFinite, 'a metric value is a finite number'),
	step: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
	timestamp: epochMs
});
export type MetricWire = z.infer<typeof metricWire>;

export const runWire = z.object({
	id: idSchema,
	experimentId: idSchema,
	parentId: idSchema.nullable(),
	name: z.string().max(LIMITS.nameLength),
	status: runStatusSchema,
	startedAt: epochMs,
	endedAt: epochMs.nullable(),
	notebookId: z.string().max(64).nullable(),
	cellId: z.string().max(64).nullable(),
	deletedAt: epochMs.nullable(),
	note: z.string().max(LIMITS.descriptionLength),
	params: z.record(z.string(), z.string()),
	tags: z.record(z.string(), z.string()),
	/** Null for runs logged by MLflow clients, which carry no data fingerprint. */
	lineage: lineageSchema.nullable()
});
export type RunWire = z.infer<typeof runWire>;

export const artifactWire = z.strictObject({
	runId: idSchema,
	/** A path inside the run, as in MLflow (`model/weights.bin`). */
	name: keySchema,
	mediaType: z.string().min(1).max(200),
	bytes: z.number().int().nonnegative().max(LIMITS.artifactBytes),
	sha256: sha256Hex
});
export type ArtifactWire = z.infer<typeof artifactWire>;

/** Registered model names: MLflow allows most characters; we keep them URL- and path-safe. */
export const modelNameSchema = z
	.string()
	.min(1)
	.max(256)
	.regex(
		/^[A-Za-z0-9][A-Za-z0-9_.\- ]*$/,
		'a model name starts with a letter or digit and has letters, digits, _ . - or spaces'
	);
/** MLflow reserves `latest` and version-like aliases (`v1`). */
export const aliasSchema = z
	.string()
	.min(1)
	.max(256)
	.regex(/^[A-Za-z0-9_-]+$/, 'an alias has letters, digits, _ or -')
	.refine(
		(a) => a.toLowerCase() !== 'latest' && !/^v\d+$/i.test(a),
		'an alias cannot be "latest" or look like a version (v1)'
	)
	.refine((a) => a !== '__proto__', '"__proto__" is reserved');

export const modelVersionWire = z.object({
	id: idSchema,
	modelName: modelNameSchema,
	version: z.number().int().positive(),
	sourceRunId: idSchema.nullable(),
	artifactSha256: sha256Hex.nullable(),
	/** Inputs and outputs, as the trained model's preprocessing spec describes them. */
	signature: z.record(z.string(), z.unknown()).nullable(),
	description: z.string().max(LIMITS.descriptionLength),
	createdAt: epochMs,
	tags: z.record(z.string(), z.string())
});
export type ModelVersionWire = z.infer<typeof modelVersionWire>;

export const registeredModelWire = z.object({
	name: modelNameSchema,
	description: z.string().max(LIMITS.descriptionLength),
	createdAt: epochMs,
	updatedAt: epochMs,
	tags: z.record(z.string(), z.string()),
	/** alias → version number */
	aliases: z.record(z.string(), z.number().int().positive()),
	latestVersion: z.number().int().nonnegative()
});
export type RegisteredModelWire = z.infer<typeof registeredModelWire>;
