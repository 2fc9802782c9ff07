import { aliasSchema, modelNameSchema, type Mutation } from '$lib/contract';
import { db as defaultDb, type EdgebookDB } from '$lib/tracking/db';
import { newId } from '$lib/tracking/ids';
import { record } from '$lib/tracking/outbox';
import type { Lineage, Run } from '$lib/tracking/run-schema';
import type { LocalModel, LocalModelVersion } from '$lib/tracking/sync-schema';

/**
 * The model registry, local-first: each operation writes the local record and its outbox entry in one
 * transaction, works offline, and syncs like runs do. Version numbers come from the registry (null until then).
 */

export const WEIGHTS_ARTIFACT = 'weights.bin';
export const PREPROCESSING_ARTIFACT = 'preprocessing.json';

export class ModelRegistryError extends Error {
	constructor(
		override readonly name: 'InvalidName' | 'RunNotFound' | 'ModelNotFound' | 'VersionNotFound',
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

/** The signature a version carries: what its preprocessing spec says the model takes and returns. */
async function signatureOf(blob: Blob | undefined): Promise<Record<string, unknown> | null> {
	if (!blob) return null;
	try {
		const spec = JSON.parse(await blob.text());
		return spec && typeof spec === 'object' && !Array.isArray(spec) ? { preprocessing: spec } : null;
	} catch {
		return null;
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
	const signature = await signatureOf(prep?.blob);
	const now = Date.now();
	const version: LocalModelVersion = {
		id: newId('mv'),
		modelName,
		version: null,
		sourceRunId: run.id,
		artifactSha256: weights?.sha256 ?? null,
		signature,
		description: o.description ?? '',
		createdAt: now,
		tags: {}
	};
	await d.transaction('rw', d.models, d.modelVersions, d.outbox, async () => {
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
		if (!model || !(o.alias in model.aliases)) return;
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
