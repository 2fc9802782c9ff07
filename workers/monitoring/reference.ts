import { blobKey, listArtifacts } from '../registry/read-artifacts';
import { getModelVersion } from '../registry/read-models';
import { REFERENCE_ARTIFACT, ReferenceProfile } from '../../src/lib/ml/monitor/reference';

/**
 * Where a version's reference profile is (docs/architecture.md, "Monitoring"): one uploaded for it
 * (`version_references`), else its source run's reference-profile.json, which every notebook-trained run carries.
 * A version without either, or whose stored JSON does not read, has none, and the answer says why.
 */
export type LoadedReference =
	{ reference: ReferenceProfile; source: 'run' | 'uploaded' } | { reference: null; missing: string };

export async function loadReference(
	db: D1Database,
	bucket: R2Bucket,
	workspaceId: string,
	modelName: string,
	version: number
): Promise<LoadedReference> {
	const where = `Version ${version} of "${modelName}"`;
	const uploaded = await db
		.prepare(
			'SELECT sha256 FROM version_references WHERE workspace_id = ? AND model_name = ? AND version = ?'
		)
		.bind(workspaceId, modelName, version)
		.first<{ sha256: string }>();
	let sha = uploaded?.sha256 ?? null;
	const source = sha ? 'uploaded' : 'run';
	if (!sha) {
		const v = await getModelVersion(db, workspaceId, modelName, version);
		if (!v) return { reference: null, missing: `${where} does not exist.` };
		const files = v.sourceRunId ? await listArtifacts(db, workspaceId, v.sourceRunId) : [];
		sha =
			files.find((f) => f.name === REFERENCE_ARTIFACT || f.name.endsWith(`/${REFERENCE_ARTIFACT}`))?.sha256 ??
			null;
		if (!sha)
			return {
				reference: null,
				missing: `${where} has no reference profile: its run carries no ${REFERENCE_ARTIFACT} (train it in the notebook, or PUT /api/v1/models/${encodeURIComponent(modelName)}/versions/${version}/reference).`
			};
	}
	const obj = await bucket.get(blobKey(sha));
	if (!obj)
		return {
			reference: null,
			missing: `${where}'s reference profile (${sha}) is not in storage yet: sync the notebook that trained it.`
		};
	try {
		return { reference: ReferenceProfile.fromJSON(JSON.parse(await obj.text())), source };
	} catch (e) {
		return {
			reference: null,
			missing: `${where}'s reference profile does not read: ${(e as Error).message}`
		};
	}
}
