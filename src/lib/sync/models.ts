import { aliasSchema, modelNameSchema, type Mutation } from '$lib/contract';
import type { OnnxDescription } from '$lib/onnx';
import { prepareArtifacts, putArtifacts } from '$lib/tracking/artifacts';
import { db as defaultDb, type EdgebookDB } from '$lib/tracking/db';
import { newId } from '$lib/tracking/ids';
import { record } from '$lib/tracking/outbox';
import { artifactLink } from '$lib/tracking/run-mutations';
import type { Artifact, Lineage, Run } from '$lib/tracking/run-schema';
import type { LocalModel, LocalModelVersion } from '$lib/tracking/sync-schema';

/**
 * The model registry, local-first: each operation writes the local record and its outbox entry in one
 * transaction, works offline, and syncs like runs do. Version numbers come from the registry (null until then).
 */

export const WEIGHTS_ARTIFACT = 'weights.bin';
export const PREPROCESSING_ARTIFACT = 'preprocessing.json';
export const MODEL_JSON_ARTIFACT = 'model.json';
/** What the edge inference API runs: the run's model exported to ONNX when it is registered. */
export const ONNX_ARTIFACT = 'model.onnx';

export class ModelRegistryError extends Error {
	constructor(
		override readonly name:
			'InvalidName' | 'RunNotFound' | 'NotAModel' | 'ExportFailed' | 'ModelNotFound' | 'VersionNotFound',
		message: string
	) {
		super(message);
	}
}

function check<T>(
	schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } },
	v: T,
	what: string
): T {
	const r = schema.safeParse(v);
	if (!r.success) throw new ModelRegistryError('InvalidName', `${what}: ${r.error?.issues[0]?.message}`);
	return v;
}

/** Inside a transaction with models and outbox. */
async function ensureModel(d: EdgebookDB, name: string, now: number): Promise<Mutation[]> {
	if (await d.models.get(name)) return [];
	await d.models.add({ name, description: '', createdAt: now, updatedAt: now, tags: {}, aliases: {} });
	return [{ type: 'model.create', name }];
}

/**
 * The signature a version carries: the preprocessing spec (the Worker encodes request rows with it, using the
 * same code as the notebook) and what the ONNX graph takes and returns.
 */
async function signatureOf(
	blob: Blob | undefined,
	onnx: OnnxDescription
): Promise<Record<string, unknown> | null> {
	let preprocessing: unknown = null;
	try {
		const spec = blob ? JSON.parse(await blob.text()) : null;
		if (spec && typeof spec === 'object' && !Array.isArray(spec)) preprocessing = spec;
	} catch {
		// A damaged spec: the version registers, and the inference API says it cannot serve it.
	}
	return { ...(preprocessing ? { preprocessing } : {}), onnx };
}

/** An imported graph's signature in MLflow's shape, as the registry reads it from the bytes (graph-signature.ts). */
async function importedSignature(blob: Blob): Promise<Record<string, unknown>> {
	const { readOnnxSignature } = await import('$lib/ml/onnx-signature');
	const sig = readOnnxSignature(new Uint8Array(await blob.arrayBuffer()));
	return { inputs: sig.inputs, outputs: sig.outputs };
}

async function exportedOnnx(
	runId: string,
	modelJson: Blob,
	weights: Blob
): Promise<{ artifact: Artifact; description: OnnxDescription }> {
	// Loaded on first use: the exporter (protobufjs) is not needed by sync itself, which every page loads.
	const { describeOnnx, exportOnnx, OnnxExportError } = await import('$lib/onnx');
	try {
		const bytes = exportOnnx({ modelJson: await modelJson.text(), weights: await weights.arrayBuffer() });
		const [artifact] = await prepareArtifacts(runId, [
			{ name: ONNX_ARTIFACT, mediaType: 'application/onnx', data: bytes }
		]);
		return { artifact, description: describeOnnx(bytes) };
	} catch (e) {
		if (e instanceof OnnxExportError)
			throw new ModelRegistryError('ExportFailed', `This model cannot be exported to ONNX: ${e.message}`);
		throw e;
	}
}

export async function registerModelVersion(o: {
	modelName: string;
	runId: string;
	description?: string;
	db?: EdgebookDB;
}): Promise<LocalModelVersion> {
	const d = o.db ?? defaultDb();
	const modelName = check(modelNameSchema, o.modelName.trim(), 'Model name');
	const run = await d.runs.get(o.runId);
	if (!run) throw new ModelRegistryError('RunNotFound', `There is no run ${o.runId}.`);
	const files = await d.artifacts.where('[runId+name]').between([o.runId, ''], [o.runId, '\uffff']).toArray();
	const weights = files.find((f) => f.name === WEIGHTS_ARTIFACT || f.name.endsWith(`/${WEIGHTS_ARTIFACT}`));
	const prep = files.find(
		(f) => f.name === PREPROCESSING_ARTIFACT || f.name.endsWith(`/${PREPROCESSING_ARTIFACT}`)
	);
	const modelJson = files.find((f) => f.name === MODEL_JSON_ARTIFACT);
	const graph = files.find((f) => f.name === ONNX_ARTIFACT);
	if ((!weights || !modelJson) && !graph)
		throw new ModelRegistryError(
			'NotAModel',
			`The run ${o.runId} has no saved model (model.json and weights.bin, or an imported model.onnx); only a finished training run or an imported ONNX file can be registered.`
		);
	// An imported graph (an ONNX cell's run) is versioned as it is, with the signature its bytes declare; a
	// trained model is exported to ONNX now (TF.js does not run in the Worker) and kept with the run.
	const imported = !modelJson || !weights;
	const onnx = imported
		? { artifact: graph!, description: null }
		: await exportedOnnx(o.runId, modelJson.blob, weights.blob);
	const signature = imported
		? await importedSignature(graph!.blob)
		: await signatureOf(prep?.blob, onnx.description!);
	const now = Date.now();
	const version: LocalModelVersion = {
		id: newId('mv'),
		modelName,
		version: null,
		sourceRunId: run.id,
		artifactSha256: onnx.artifact.sha256,
		signature,
		description: o.description ?? '',
		createdAt: now,
		tags: {}
	};
	await d.transaction('rw', [d.models, d.modelVersions, d.artifacts, d.outbox], async () => {
		// The ONNX file goes with the run first, so its bytes are uploaded before the version that names them (an
		// imported file is the run's artifact already).
		if (!imported) {
			await putArtifacts(d, [onnx.artifact]);
			await record(d, [artifactLink(onnx.artifact)], now);
		}
		const ms = await ensureModel(d, modelName, now);
		await d.modelVersions.add(version);
		await d.models.update(modelName, { updatedAt: now });
		ms.push({
			type: 'model.version.create',
			id: version.id,
			modelName,
			sourceRunId: version.sourceRunId,
			artifactSha256: version.artifactSha256,
			signature,
			...(version.description ? { description: version.description } : {})
		});
		await record(d, ms, now);
	});
	return version;
}

export async function setAlias(o: {
	modelName: string;
	alias: string;
	versionId: string;
	db?: EdgebookDB;
}): Promise<void> {
	const d = o.db ?? defaultDb();
	check(aliasSchema, o.alias, 'Alias');
	await d.transaction('rw', d.models, d.modelVersions, d.outbox, async () => {
		const model = await d.models.get(o.modelName);
		if (!model) throw new ModelRegistryError('ModelNotFound', `There is no model "${o.modelName}".`);
		const v = await d.modelVersions.get(o.versionId);
		if (!v || v.modelName !== o.modelName)
			throw new ModelRegistryError('VersionNotFound', `"${o.modelName}" has no version ${o.versionId}.`);
		await d.models.update(o.modelName, {
			aliases: { ...model.aliases, [o.alias]: v.id },
			updatedAt: Date.now()
		});
		await record(d, [
			{ type: 'model.alias.set', modelName: o.modelName, alias: o.alias, ref: { versionId: v.id } }
		]);
	});
}

export async function deleteAlias(o: { modelName: string; alias: string; db?: EdgebookDB }): Promise<void> {
	const d = o.db ?? defaultDb();
	await d.transaction('rw', d.models, d.outbox, async () => {
		const model = await d.models.get(o.modelName);
		if (!model || !Object.hasOwn(model.aliases, o.alias)) return;
		const aliases = { ...model.aliases };
		delete aliases[o.alias];
		await d.models.update(o.modelName, { aliases, updatedAt: Date.now() });
		await record(d, [{ type: 'model.alias.delete', modelName: o.modelName, alias: o.alias }]);
	});
}

export async function listModels(o: { db?: EdgebookDB } = {}): Promise<LocalModel[]> {
	return (o.db ?? defaultDb()).models.orderBy('name').toArray();
}

export interface ModelDetail extends LocalModel {
	/** Newest first; unsynced versions (number null) first of all. */
	versions: LocalModelVersion[];
	/** alias → the version it points at. */
	aliasVersions: Record<string, LocalModelVersion>;
}

export async function getModel(name: string, o: { db?: EdgebookDB } = {}): Promise<ModelDetail | null> {
	const d = o.db ?? defaultDb();
	const model = await d.models.get(name);
	if (!model) return null;
	const versions = (await d.modelVersions.where('modelName').equals(name).toArray()).sort(
		(a, b) => (b.version ?? Infinity) - (a.version ?? Infinity) || b.createdAt - a.createdAt
	);
	const byId = new Map(versions.map((v) => [v.id, v]));
	const aliasVersions = Object.fromEntries(
		Object.entries(model.aliases).flatMap(([a, id]) => (byId.has(id) ? [[a, byId.get(id)!]] : []))
	);
	return { ...model, versions, aliasVersions };
}

/** Where a version came from: its run and the data that run was trained on. */
export async function versionLineage(
	versionId: string,
	o: { db?: EdgebookDB } = {}
): Promise<{
	version: LocalModelVersion;
	run: Run | null;
	dataFingerprint: Lineage['dataFingerprint'] | null;
} | null> {
	const d = o.db ?? defaultDb();
	const version = await d.modelVersions.get(versionId);
	if (!version) return null;
	const run = version.sourceRunId ? ((await d.runs.get(version.sourceRunId)) ?? null) : null;
	return { version, run, dataFingerprint: run?.lineage.dataFingerprint ?? null };
}
