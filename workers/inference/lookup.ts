import { LOG_TAGS, trafficTag } from '../../src/lib/contract';
import { cached, remember } from './serving-cache';
/**
 * What a prediction needs of a version, in one D1 query: its number, artifact, signature, and whether this
 * workspace holds the artifact (blob_refs). The general read path (version, tags, aliases, then blob_refs) is
 * four or five round trips, each several milliseconds, on every request; the failure messages still come from
 * the general path, which runs only when this finds nothing.
 */
export interface ServingVersion {
	modelName: string;
	version: number;
	artifactSha256: string | null;
	signature: Record<string, unknown> | null;
	/** This workspace uploaded the artifact: a hash alone never serves another workspace's model. */
	hasArtifact: boolean;
	/** The model's prediction-log settings (model tags, contract LOG_TAGS); null where unset. */
	logSampleRate: string | null;
	logInputs: string | null;
	/** The alias's traffic split (model tag `edgebook.traffic.<alias>`, JSON); null for a version by number. */
	traffic: string | null;
}

type Row = {
	model_name: string;
	version: number;
	artifact_sha256: string | null;
	signature: string | null;
	has_ref: number | null;
	log_sample: string | null;
	log_inputs: string | null;
	traffic?: string | null;
};

const COLUMNS = `v.model_name, v.version, v.artifact_sha256, v.signature,
	(SELECT 1 FROM blob_refs r WHERE r.workspace_id = v.workspace_id AND r.sha256 = v.artifact_sha256) AS has_ref,
	(SELECT value FROM model_tags t WHERE t.workspace_id = v.workspace_id AND t.model_name = v.model_name
	 AND t.key = '${LOG_TAGS.sampleRate}') AS log_sample,
	(SELECT value FROM model_tags t WHERE t.workspace_id = v.workspace_id AND t.model_name = v.model_name
	 AND t.key = '${LOG_TAGS.inputs}') AS log_inputs`;

const BY_VERSION = `SELECT ${COLUMNS} FROM model_versions v
	WHERE v.workspace_id = ? AND v.model_name = ? AND v.version = ?`;

/** Through the alias, with its traffic split (the tag named after the alias). */
const BY_ALIAS = `SELECT ${COLUMNS},
	(SELECT value FROM model_tags t WHERE t.workspace_id = v.workspace_id AND t.model_name = v.model_name
	 AND t.key = '${trafficTag('')}' || a.alias) AS traffic
	FROM model_versions v JOIN model_aliases a ON a.workspace_id = v.workspace_id AND a.model_name = v.model_name
	AND a.version = v.version WHERE v.workspace_id = ? AND v.model_name = ? AND a.alias = ?`;

export async function servingVersion(
	db: D1Database,
	workspaceId: string,
	modelName: string,
	ref: { version: number } | { alias: string }
): Promise<ServingVersion | null> {
	const key = `${workspaceId}\n${modelName}\n${'version' in ref ? `v${ref.version}` : `a${ref.alias}`}`;
	const hit = cached<ServingVersion>(key);
	if (hit) return hit;
	const found = await readServingVersion(db, workspaceId, modelName, ref);
	if (found?.hasArtifact) remember(key, found);
	return found;
}

async function readServingVersion(
	db: D1Database,
	workspaceId: string,
	modelName: string,
	ref: { version: number } | { alias: string }
): Promise<ServingVersion | null> {
	const row =
		'version' in ref
			? await db.prepare(BY_VERSION).bind(workspaceId, modelName, ref.version).first<Row>()
			: await db.prepare(BY_ALIAS).bind(workspaceId, modelName, ref.alias).first<Row>();
	if (!row) return null;
	let signature: Record<string, unknown> | null = null;
	try {
		const parsed: unknown = row.signature ? JSON.parse(row.signature) : null;
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
			signature = parsed as Record<string, unknown>;
	} catch {
		// A damaged signature serves as none: the route says the version has no preprocessing signature.
	}
	return {
		modelName: row.model_name,
		version: row.version,
		artifactSha256: row.artifact_sha256,
		signature,
		hasArtifact: row.has_ref === 1,
		logSampleRate: row.log_sample,
		logInputs: row.log_inputs,
		traffic: row.traffic ?? null
	};
}
