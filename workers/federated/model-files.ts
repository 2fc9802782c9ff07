import { NotServable } from '../domain/errors';
import { blobKey, listArtifacts } from '../registry/read-artifacts';
import { getModelVersion } from '../registry/read-models';
export { storeBlob } from '../registry/blob-records';

/**
 * A federated job's model files in R2: the starting version's (its source run's model.json, weights.bin and
 * preprocessing.json, as the notebook uploaded them) and each round's new ones, stored content-addressed like any
 * upload and referenced by the workspace (blob_refs), so the registry serves and links them as it does the
 * browser's.
 */

export interface ModelFiles {
	modelJsonSha: string;
	weightsSha: string;
	preprocessingSha: string | null;
	/** Float32 parameters in weights.bin (TF.js's layout: every weight concatenated in manifest order). */
	parameters: number;
}

type FileName = 'model.json' | 'weights.bin' | 'preprocessing.json';

/** The files a job starts from: a notebook-trained version's, or a NotServable naming what is missing. */
export async function versionFiles(
	db: D1Database,
	bucket: R2Bucket,
	workspaceId: string,
	modelName: string,
	version: number
): Promise<ModelFiles> {
	const v = await getModelVersion(db, workspaceId, modelName, version);
	const where = `Version ${version} of "${modelName}"`;
	if (!v?.sourceRunId)
		throw new NotServable({
			message: `${where} has no source run, so there are no weights to start federated rounds from: register a version trained in the notebook.`,
			details: { modelName, version }
		});
	const files = await listArtifacts(db, workspaceId, v.sourceRunId);
	const find = (name: FileName) =>
		files.find((f) => f.name === name || f.name.endsWith(`/${name}`))?.sha256 ?? null;
	const modelJsonSha = find('model.json');
	const weightsSha = find('weights.bin');
	if (!modelJsonSha || !weightsSha)
		throw new NotServable({
			message: `${where}'s run has no model.json and weights.bin (an imported ONNX graph cannot be trained in browsers): register a version trained in the notebook.`,
			details: { modelName, version, runId: v.sourceRunId }
		});
	const weights = await bucket.head(blobKey(weightsSha));
	if (!weights)
		throw new NotServable({
			message: `The weights of ${where} (${weightsSha}) are not in storage: sync the notebook that trained it.`,
			details: { sha256: weightsSha }
		});
	if (weights.size % 4 !== 0)
		throw new NotServable({
			message: `The weights of ${where} are ${weights.size} bytes, not whole float32 values.`,
			details: { sha256: weightsSha }
		});
	return {
		modelJsonSha,
		weightsSha,
		preprocessingSha: find('preprocessing.json'),
		parameters: weights.size / 4
	};
}

export async function readBlob(bucket: R2Bucket, sha256: string): Promise<Uint8Array> {
	const obj = await bucket.get(blobKey(sha256));
	if (!obj)
		throw new NotServable({ message: `Blob ${sha256} is missing from storage.`, details: { sha256 } });
	return new Uint8Array(await obj.arrayBuffer());
}
