import type { RunWire } from '../../src/lib/contract';
import type { ExperimentRecord } from '../registry/read-experiments';
import type { LatestMetric } from '../registry/read-metrics';
import type { RegisteredModelWire } from '../../src/lib/contract';
import type { ModelVersionRecord } from '../registry/read-models';
import type { RunRecord } from '../registry/read-runs';
import { invalid } from './errors';

/** Registry records → MLflow's JSON shapes (service.proto / model_registry.proto field names). */

type KV = { key: string; value: string };
export const toKV = (m: Record<string, string>): KV[] =>
	Object.entries(m).map(([key, value]) => ({ key, value }));

// MLflow reserves these tag keys for what its run record already carries elsewhere.
export const RUN_NAME_TAG = 'mlflow.runName';
export const USER_TAG = 'mlflow.user';

export const MLFLOW_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type MlflowStatus = (typeof MLFLOW_STATUSES)[number];

/** A tab closed mid-run (interrupted) did not finish: MLflow's nearest word is FAILED. */
export function statusOut(s: RunWire['status']): MlflowStatus {
	switch (s) {
		case 'running':
			return 'RUNNING';
		case 'finished':
			return 'FINISHED';
		case 'failed':
		case 'interrupted':
			return 'FAILED';
		case 'cancelled':
			return 'KILLED';
	}
}

export function statusIn(s: MlflowStatus): RunWire['status'] {
	if (s === 'FINISHED') return 'finished';
	if (s === 'FAILED') return 'failed';
	if (s === 'KILLED') return 'cancelled';
	return 'running';
}

/** MLflow clients send NaN and ±Infinity as the strings protobuf's JSON uses; they come back the same way. */
export function metricIn(v: number | string): { value: number | null; special: string | null } {
	const special = v === 'NaN' || v === 'Infinity' || v === '-Infinity';
	const n = typeof v === 'number' ? v : Number(v);
	if (typeof v === 'string' && !special && (v.trim() === '' || !Number.isFinite(n)))
		throw invalid(`Invalid metric value ${JSON.stringify(v)}: a number, "NaN", "Infinity" or "-Infinity".`);
	if (Number.isNaN(n)) return { value: null, special: 'NaN' };
	if (n === Infinity || n === -Infinity) return { value: null, special: String(n) };
	return { value: n, special: null };
}

export const metricOut = (v: number): number | string => (Number.isFinite(v) ? v : String(v));

export const experimentArtifactRoot = (experimentId: string) => `mlflow-artifacts:/${experimentId}`;
export const runArtifactRoot = (experimentId: string, runId: string) =>
	`mlflow-artifacts:/${experimentId}/${runId}/artifacts`;

export function experimentOut(e: ExperimentRecord, tags: Record<string, string>) {
	return {
		experiment_id: e.id,
		name: e.name,
		artifact_location: experimentArtifactRoot(e.id),
		lifecycle_stage: e.deletedAt === null ? 'active' : 'deleted',
		last_update_time: e.updatedAt,
		creation_time: e.createdAt,
		tags: toKV(tags)
	};
}

export function runInfoOut(r: RunRecord) {
	return {
		run_id: r.id,
		run_uuid: r.id,
		run_name: r.name,
		experiment_id: r.experimentId,
		user_id: r.tags[USER_TAG] ?? '',
		status: statusOut(r.status),
		start_time: r.startedAt,
		...(r.endedAt === null ? {} : { end_time: r.endedAt }),
		artifact_uri: runArtifactRoot(r.experimentId, r.id),
		lifecycle_stage: r.deletedAt === null ? 'active' : 'deleted'
	};
}

export function runOut(r: RunRecord, latest: LatestMetric[]) {
	return {
		info: runInfoOut(r),
		data: {
			metrics: latest.map((m) => ({
				key: m.key,
				value: metricOut(m.value),
				timestamp: m.timestamp,
				step: m.step
			})),
			params: toKV(r.params),
			// The run's name is its own column; MLflow clients also expect it as the mlflow.runName tag.
			tags: toKV({ ...r.tags, [RUN_NAME_TAG]: r.name })
		},
		inputs: {}
	};
}

export function versionOut(v: ModelVersionRecord, extra: { source: string | null; aliases: string[] }) {
	return {
		name: v.modelName,
		version: String(v.version),
		creation_timestamp: v.createdAt,
		last_updated_timestamp: v.updatedAt,
		current_stage: 'None',
		description: v.description,
		source: extra.source ?? '',
		run_id: v.sourceRunId ?? '',
		status: 'READY',
		tags: toKV(v.tags),
		aliases: extra.aliases
	};
}

export function modelOut(m: RegisteredModelWire, latest: ReturnType<typeof versionOut>[]) {
	return {
		name: m.name,
		creation_timestamp: m.createdAt,
		last_updated_timestamp: m.updatedAt,
		description: m.description,
		latest_versions: latest,
		tags: toKV(m.tags),
		aliases: Object.entries(m.aliases).map(([alias, version]) => ({ alias, version: String(version) }))
	};
}
