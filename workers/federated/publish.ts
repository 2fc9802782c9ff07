import { experimentIdForName, type Mutation } from '../../src/lib/contract';
import { describeOnnx, exportOnnx } from '../../src/lib/onnx';
import { DomainError } from '../domain/errors';
import { newId, write } from '../registry/write';
import { readBlob, storeBlob, type ModelFiles } from './model-files';

/**
 * What a federated job writes to the registry, through the one write path (workers/registry/write.ts) like any
 * other writer: the job's run (its settings as params) when it starts, and for each finished round a child run
 * holding the round's metrics and model files, and the model version made from it (the ONNX exporter runs here:
 * src/lib/onnx has no TF.js dependency), with the parent's preprocessing so the edge serves it at once.
 */

export interface RegistryEnv {
	DB: D1Database;
	ARTIFACTS: R2Bucket;
}

export const FEDERATED_EXPERIMENT = 'federated';

async function mustWrite(env: RegistryEnv, workspaceId: string, mutations: Mutation[]) {
	const out = await write({ db: env.DB }, workspaceId, mutations);
	if (out instanceof DomainError) throw out;
	return out;
}

/** The job's run, in the `federated` experiment, its settings as params. Answers the run's id. */
export async function startJobRun(
	env: RegistryEnv,
	workspaceId: string,
	o: { jobId: string; modelName: string; version: number; params: Record<string, string> }
): Promise<string> {
	const experimentId = experimentIdForName(FEDERATED_EXPERIMENT);
	const now = Date.now();
	const exists = await env.DB.prepare('SELECT 1 FROM experiments WHERE workspace_id = ? AND id = ?')
		.bind(workspaceId, experimentId)
		.first();
	const runId = newId();
	const mutations: Mutation[] = [];
	if (!exists)
		mutations.push({
			type: 'experiment.create',
			experiment: { id: experimentId, name: FEDERATED_EXPERIMENT, createdAt: now }
		});
	mutations.push({
		type: 'run.create',
		run: {
			id: runId,
			experimentId,
			parentId: null,
			name: `federated ${o.modelName} v${o.version}`,
			startedAt: now,
			notebookId: null,
			cellId: null,
			params: Object.entries(o.params).map(([key, value]) => ({ key, value })),
			tags: [
				{ key: 'edgebook.federated.job', value: o.jobId },
				{ key: 'edgebook.federated.parent', value: `${o.modelName}/${o.version}` }
			],
			lineage: null
		}
	});
	await mustWrite(env, workspaceId, mutations);
	return runId;
}

export async function endJobRun(
	env: RegistryEnv,
	workspaceId: string,
	runId: string,
	status: 'finished' | 'failed',
	note?: string
): Promise<void> {
	await mustWrite(env, workspaceId, [
		{ type: 'run.update', runId, status, endedAt: Date.now(), ...(note ? { note } : {}) }
	]);
}

export interface RoundToPublish {
	jobId: string;
	jobRunId: string;
	modelName: string;
	round: number;
	weights: Float32Array;
	files: ModelFiles;
	/** Finite figures only (the registry stores finite metrics). */
	metrics: Record<string, number>;
	followAlias?: string;
}

/** A finished round as a child run and a model version; answers both. */
export async function publishRound(
	env: RegistryEnv,
	workspaceId: string,
	r: RoundToPublish
): Promise<{ version: number; runId: string }> {
	const weightBytes = new Uint8Array(r.weights.buffer, r.weights.byteOffset, r.weights.byteLength);
	const modelJson = new TextDecoder().decode(await readBlob(env.ARTIFACTS, r.files.modelJsonSha));
	const onnx = exportOnnx({ modelJson, weights: weightBytes.slice() });
	const description = describeOnnx(onnx);
	const weightsSha = await storeBlob(
		env.DB,
		env.ARTIFACTS,
		workspaceId,
		weightBytes,
		'application/octet-stream'
	);
	const onnxSha = await storeBlob(env.DB, env.ARTIFACTS, workspaceId, onnx, 'application/onnx');
	const prepBytes = r.files.preprocessingSha ? await readBlob(env.ARTIFACTS, r.files.preprocessingSha) : null;
	const preprocessing: unknown = prepBytes ? JSON.parse(new TextDecoder().decode(prepBytes)) : null;
	const runId = newId();
	const now = Date.now();
	const link = (name: string, sha256: string, bytes: number, mediaType: string): Mutation => ({
		type: 'artifact.link',
		artifact: { runId, name, sha256, bytes, mediaType }
	});
	const modelJsonBytes = new TextEncoder().encode(modelJson).length;
	const mutations: Mutation[] = [
		{
			type: 'run.create',
			run: {
				id: runId,
				experimentId: experimentIdForName(FEDERATED_EXPERIMENT),
				parentId: r.jobRunId,
				name: `round ${r.round}`,
				startedAt: now,
				notebookId: null,
				cellId: null,
				params: [{ key: 'round', value: String(r.round) }],
				tags: [
					{ key: 'edgebook.federated.job', value: r.jobId },
					{ key: 'edgebook.federated.round', value: String(r.round) }
				],
				lineage: null
			}
		},
		{
			type: 'run.log',
			runId,
			metrics: Object.entries(r.metrics)
				.filter(([, v]) => Number.isFinite(v))
				.map(([key, value]) => ({ key, value, step: r.round, timestamp: now })),
			params: [],
			tags: []
		},
		link('model.json', r.files.modelJsonSha, modelJsonBytes, 'application/json'),
		link('weights.bin', weightsSha, weightBytes.length, 'application/octet-stream'),
		link('model.onnx', onnxSha, onnx.length, 'application/onnx')
	];
	if (r.files.preprocessingSha && prepBytes)
		mutations.push(
			link('preprocessing.json', r.files.preprocessingSha, prepBytes.length, 'application/json')
		);
	mutations.push(
		{ type: 'run.update', runId, status: 'finished', endedAt: now },
		{
			type: 'model.version.create',
			id: newId(),
			modelName: r.modelName,
			sourceRunId: runId,
			artifactSha256: onnxSha,
			signature: { ...(preprocessing ? { preprocessing } : {}), onnx: description } as never,
			description: `Federated job ${r.jobId}, round ${r.round}`
		}
	);
	const written = await mustWrite(env, workspaceId, mutations);
	const version = (written.at(-1)!.result as { version: number }).version;
	if (r.followAlias)
		await mustWrite(env, workspaceId, [
			{ type: 'model.alias.set', modelName: r.modelName, alias: r.followAlias, ref: { version } }
		]);
	return { version, runId };
}
