import { z } from 'zod';
import { signatureSchema } from './json-depth';
import { LIMITS } from './limits';
import {
	aliasSchema,
	artifactWire,
	epochMs,
	experimentWire,
	idSchema,
	keySchema,
	lineageSchema,
	metricWire,
	modelNameSchema,
	nameSchema,
	paramWire,
	runStatusSchema,
	sha256Hex,
	tagWire
} from './records';

/**
 * Every write to the registry is one of these mutations, whichever door it comes through: a browser's sync
 * outbox, a /api/v1 route or an MLflow route. The Worker applies each exactly once (by mutation id) and keeps
 * the applied ones, in order, as the change feed other devices pull. Adding a kind means adding it here, to the
 * Worker's applier and to the browser's applier (both switch exhaustively).
 */

const description = z.string().max(LIMITS.descriptionLength);
const ref = z.union([
	z.strictObject({ version: z.number().int().positive() }),
	/** An offline browser knows the id it gave a new version, not the number the registry will assign. */
	z.strictObject({ versionId: idSchema })
]);

export const mutationSchema = z.discriminatedUnion('type', [
	/** Tags travel with the create (MLflow's experiments/create), so the experiment and its tags are one write. */
	z.strictObject({
		type: z.literal('experiment.create'),
		experiment: experimentWire,
		tags: z.array(tagWire).max(LIMITS.tagsPerBatch).optional()
	}),
	z.strictObject({ type: z.literal('experiment.rename'), experimentId: idSchema, name: nameSchema }),
	z.strictObject({ type: z.literal('experiment.delete'), experimentId: idSchema }),
	z.strictObject({ type: z.literal('experiment.restore'), experimentId: idSchema }),
	/** MLflow's experiment tags (set-experiment-tag); the last value set wins. */
	z.strictObject({
		type: z.literal('experiment.tag.set'),
		experimentId: idSchema,
		key: keySchema,
		value: z.string().max(LIMITS.tagValueLength)
	}),
	z.strictObject({ type: z.literal('experiment.tag.delete'), experimentId: idSchema, key: keySchema }),
	z.strictObject({
		type: z.literal('run.create'),
		run: z.strictObject({
			id: idSchema,
			experimentId: idSchema,
			parentId: idSchema.nullable(),
			name: z.string().max(LIMITS.nameLength),
			startedAt: epochMs,
			notebookId: z.string().max(64).nullable(),
			cellId: z.string().max(64).nullable(),
			params: z.array(paramWire).max(LIMITS.paramsPerBatch),
			tags: z.array(tagWire).max(LIMITS.tagsPerBatch),
			lineage: lineageSchema.nullable()
		})
	}),
	/** MLflow's log-batch: params immutable (the same value again is fine), metrics appended, tags overwritten. */
	z.strictObject({
		type: z.literal('run.log'),
		runId: idSchema,
		metrics: z.array(metricWire).max(LIMITS.metricsPerBatch),
		params: z.array(paramWire).max(LIMITS.paramsPerBatch),
		tags: z.array(tagWire).max(LIMITS.tagsPerBatch)
	}),
	z.strictObject({
		type: z.literal('run.update'),
		runId: idSchema,
		status: runStatusSchema.optional(),
		endedAt: epochMs.nullable().optional(),
		name: z.string().max(LIMITS.nameLength).optional(),
		note: description.optional()
	}),
	z.strictObject({ type: z.literal('run.tag.delete'), runId: idSchema, key: keySchema }),
	z.strictObject({ type: z.literal('run.delete'), runId: idSchema, deletedAt: epochMs }),
	z.strictObject({ type: z.literal('run.restore'), runId: idSchema }),
	/** The bytes are uploaded first (PUT /api/v1/blobs/:sha256); this links them to a path in the run. */
	z.strictObject({ type: z.literal('artifact.link'), artifact: artifactWire }),
	/** Unlinks a path in a run, or everything under it when it is a directory (MLflow's delete_artifacts). */
	z.strictObject({ type: z.literal('artifact.delete'), runId: idSchema, path: keySchema }),
	/** Create-if-missing: two browsers registering the same name offline meet in one model. */
	z.strictObject({
		type: z.literal('model.create'),
		name: modelNameSchema,
		description: description.optional(),
		tags: z.array(tagWire).max(LIMITS.tagsPerBatch).optional()
	}),
	z.strictObject({ type: z.literal('model.update'), name: modelNameSchema, description }),
	z.strictObject({ type: z.literal('model.rename'), name: modelNameSchema, newName: modelNameSchema }),
	z.strictObject({ type: z.literal('model.delete'), name: modelNameSchema }),
	z.strictObject({
		type: z.literal('model.tag.set'),
		name: modelNameSchema,
		key: keySchema,
		value: z.string().max(LIMITS.tagValueLength)
	}),
	z.strictObject({ type: z.literal('model.tag.delete'), name: modelNameSchema, key: keySchema }),
	z.strictObject({
		type: z.literal('model.version.create'),
		/** Client-chosen; the registry assigns the version number (the next one for the model). */
		id: idSchema,
		modelName: modelNameSchema,
		sourceRunId: idSchema.nullable(),
		artifactSha256: sha256Hex.nullable(),
		signature: signatureSchema.nullable(),
		description: description.optional(),
		tags: z.array(tagWire).max(LIMITS.tagsPerBatch).optional(),
		/** MLflow's model URI (`runs:/<run>/model`, `mlflow-artifacts:/…`), kept so clients can download it. */
		source: z.string().min(1).max(LIMITS.descriptionLength).optional()
	}),
	z.strictObject({ type: z.literal('model.version.update'), modelName: modelNameSchema, ref, description }),
	z.strictObject({ type: z.literal('model.version.delete'), modelName: modelNameSchema, ref }),
	z.strictObject({
		type: z.literal('model.version.tag.set'),
		modelName: modelNameSchema,
		ref,
		key: keySchema,
		value: z.string().max(LIMITS.tagValueLength)
	}),
	z.strictObject({
		type: z.literal('model.version.tag.delete'),
		modelName: modelNameSchema,
		ref,
		key: keySchema
	}),
	/** Promotion: point an alias (champion, challenger, …) at a version. Needs the `deploy` scope. */
	z.strictObject({ type: z.literal('model.alias.set'), modelName: modelNameSchema, alias: aliasSchema, ref }),
	z.strictObject({ type: z.literal('model.alias.delete'), modelName: modelNameSchema, alias: aliasSchema })
]);
export type Mutation = z.infer<typeof mutationSchema>;
export type MutationType = Mutation['type'];
export type MutationOf<T extends MutationType> = Extract<Mutation, { type: T }>;
export type VersionRef = z.infer<typeof ref>;

/** Scope needed per mutation: promotion is `deploy`, everything else `write`. */
export function scopeFor(m: Mutation): 'write' | 'deploy' {
	return m.type === 'model.alias.set' || m.type === 'model.alias.delete' ? 'deploy' : 'write';
}
