import type { FedJobCreate, FedJobView } from '../../src/lib/contract';
import { ModelNotFound, VersionNotFound, domainErrorOf } from '../domain/errors';
import { getModel, getModelVersion } from '../registry/read-models';
import { newId } from '../registry/write';
import type { FederatedJob, Result } from './job-object';
import { versionFiles } from './model-files';
import { startJobRun } from './publish';

/**
 * Starting a federated job (docs/architecture.md, "Federated jobs"): from the route, and from a retraining task in
 * federated mode. Jobs are named per workspace, so another workspace's id reaches an empty object ("no such job").
 */

export interface JobEnv {
	DB: D1Database;
	ARTIFACTS: R2Bucket;
	FEDERATED_JOB: DurableObjectNamespace<FederatedJob>;
}

export function jobStub(env: Pick<JobEnv, 'FEDERATED_JOB'>, workspaceId: string, id: string) {
	return env.FEDERATED_JOB.get(env.FEDERATED_JOB.idFromName(`${workspaceId}\n${id}`));
}

/** The job object's refusals (answered as values) as the registry's domain errors. */
export function unwrap<T>(r: Result<T>): T {
	if (!r.ok) throw domainErrorOf(r.error.code, r.error.message, r.error.details);
	return r.value;
}

/** A job's settings as run params (MLflow-style key → text). */
function params(s: FedJobCreate): Record<string, string> {
	const { strategy, dp, ...rest } = s;
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = String(v);
	for (const [k, v] of Object.entries(strategy)) out[k === 'name' ? 'strategy' : `strategy.${k}`] = String(v);
	if (dp) {
		out['dp.noise_multiplier'] = String(dp.noiseMultiplier);
		out['dp.delta'] = String(dp.delta);
	}
	return out;
}

/** Checks the version exists and has a model's files, opens the job's run, and starts its object. */
export async function createFederatedJob(
	env: JobEnv,
	workspaceId: string,
	settings: FedJobCreate
): Promise<FedJobView> {
	if (!(await getModel(env.DB, workspaceId, settings.modelName)))
		throw new ModelNotFound({ message: `No registered model named "${settings.modelName}".` });
	if (!(await getModelVersion(env.DB, workspaceId, settings.modelName, settings.version)))
		throw new VersionNotFound({
			message: `The registered model "${settings.modelName}" has no version ${settings.version}.`
		});
	const files = await versionFiles(env.DB, env.ARTIFACTS, workspaceId, settings.modelName, settings.version);
	const id = newId();
	const runId = await startJobRun(env, workspaceId, {
		jobId: id,
		modelName: settings.modelName,
		version: settings.version,
		params: params(settings)
	});
	return unwrap(
		await jobStub(env, workspaceId, id).create({
			id,
			workspaceId,
			runId,
			settings,
			files,
			createdAt: Date.now()
		})
	);
}
