import {
	LIMITS,
	predictColumnsSchema,
	predictRowsSchema,
	preprocessingSchema,
	type PredictRequest,
	type PredictResponse
} from '../../src/lib/contract';
import { encode } from '../../src/lib/ml/preprocess';
import type { Preprocessing } from '../../src/lib/ml/types';
import {
	AliasNotFound,
	InvalidModel,
	ModelNotFound,
	NotServable,
	TooLarge,
	VersionNotFound
} from '../domain/errors';
import { parseOrInvalid } from '../domain/parse';
import { blobKey } from '../registry/read-artifacts';
import { getModel } from '../registry/read-models';
import { decodePredictions } from './decode';
import { toFrame } from './frame';
import { servingVersion, type ServingVersion } from './lookup';

/**
 * The inference service: a registered version (or the version an alias points at) scores a body of rows or
 * columns with the version's ONNX artifact and the app's own preprocessing. It takes plain values and throws
 * domain errors, so the /api/v1 route, a Cron handler or a Durable Object call it alike; prediction logging and
 * traffic splitting (canary, shadow) attach here, once, for every caller (docs/architecture.md).
 */

export interface InferenceDeps {
	db: D1Database;
	/** Where the artifacts' bytes live, under blobs/<sha256>. */
	bucket: R2Bucket;
}

export type VersionRef = { version: number } | { alias: string };

export interface PredictInput {
	workspaceId: string;
	modelName: string;
	ref: VersionRef;
	/** The request as parsed JSON: checked here against the contract's rows or columns shape. */
	body: unknown;
}

/** What a version needs to serve: an ONNX artifact this workspace uploaded, and its preprocessing spec. */
function servable(v: ServingVersion): { sha256: string; prep: Preprocessing } {
	const where = `Version ${v.version} of "${v.modelName}"`;
	const details = { modelName: v.modelName, version: v.version };
	const raw = v.signature?.preprocessing;
	if (raw === undefined)
		throw new NotServable({
			message: `${where} has no preprocessing signature. Register the version from the notebook (it saves signature.preprocessing), or pass signature: { preprocessing } when creating it.`,
			details
		});
	const parsed = preprocessingSchema.safeParse(raw);
	if (!parsed.success)
		throw new InvalidModel({
			message: `${where} has a malformed signature.preprocessing: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}. Register the version again from the notebook.`,
			details: { ...details, issues: parsed.error.issues.slice(0, 20) }
		});
	const sha256 = v.artifactSha256;
	if (!sha256)
		throw new NotServable({
			message: `${where} has no artifact. Upload its ONNX export (PUT /api/v1/blobs/<sha256>) and register a version with that artifactSha256.`,
			details
		});
	// Through blob_refs only: a hash another workspace uploaded never serves here.
	if (!v.hasArtifact)
		throw new NotServable({
			message: `${where} names artifact ${sha256}, which this workspace never uploaded. PUT its ONNX bytes to /api/v1/blobs/${sha256}.`,
			details: { ...details, sha256 }
		});
	return { sha256, prep: parsed.data };
}

/** The body as rows or columns; more than LIMITS.predictRows is TooLarge rather than a shape error. */
export function predictBody(raw: unknown): PredictRequest {
	const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
	const rows = isObject && 'rows' in raw ? raw.rows : undefined;
	const columns = isObject && 'columns' in raw ? raw.columns : undefined;
	const lengths = Array.isArray(rows)
		? [rows.length]
		: typeof columns === 'object' && columns !== null
			? Object.values(columns).map((col) => (Array.isArray(col) ? col.length : 0))
			: [];
	const count = Math.max(0, ...lengths);
	if (count > LIMITS.predictRows)
		throw new TooLarge({
			message: `${count} rows is more than the ${LIMITS.predictRows} one request may score; send them in batches.`,
			details: { rows: count, limit: LIMITS.predictRows }
		});
	if (rows === undefined && columns !== undefined) return parseOrInvalid(predictColumnsSchema, raw, 'body');
	return parseOrInvalid(predictRowsSchema, raw, 'body');
}

/** The version to serve, or the domain error naming what is missing: the model, the version or the alias. */
async function find(deps: InferenceDeps, input: TargetRef): Promise<ServingVersion> {
	const { workspaceId, modelName, ref } = input;
	const found = await servingVersion(deps.db, workspaceId, modelName, ref);
	if (found) return found;
	if (!(await getModel(deps.db, workspaceId, modelName)))
		throw new ModelNotFound({ message: `No registered model named "${modelName}".`, details: { modelName } });
	if ('alias' in ref)
		throw new AliasNotFound({
			message: `The model "${modelName}" has no alias "${ref.alias}".`,
			details: { modelName, alias: ref.alias }
		});
	// A version created since the first read is simply read again.
	const again = await servingVersion(deps.db, workspaceId, modelName, ref);
	if (again) return again;
	throw new VersionNotFound({
		message: `The registered model "${modelName}" has no version ${ref.version}.`,
		details: { modelName, version: ref.version }
	});
}

/** A version ready to score: what `resolve` found, for `score`. */
export interface Target {
	modelName: string;
	version: number;
	sha256: string;
	prep: Preprocessing;
}

export type TargetRef = Omit<PredictInput, 'body'>;

/**
 * Step one: which version serves `ref`, and whether it can (traffic splitting will choose here). Apart from
 * `score` so that the HTTP door reads the body only once the model is known to serve, as it always has.
 */
export async function resolve(deps: InferenceDeps, ref: TargetRef): Promise<Target> {
	const v = await find(deps, ref);
	return { modelName: v.modelName, version: v.version, ...servable(v) };
}

/** Step two: scores `body` (parsed JSON, checked here) with the target (prediction logging will attach here). */
export async function score(deps: InferenceDeps, target: Target, body: unknown): Promise<PredictResponse> {
	const startedAt = Date.now();
	const { sha256, prep } = target;
	const encoded = encode(prep, toFrame(prep, predictBody(body)));
	// ORT loads here, on the first prediction an isolate serves: every other caller stays light.
	const { runModel } = await import('./run');
	const output = await runModel({
		sha256,
		features: encoded.x,
		rows: encoded.rows,
		width: encoded.width,
		bytes: async () => {
			const obj = await deps.bucket.get(blobKey(sha256));
			if (!obj)
				throw new NotServable({
					message: `The bytes of ${sha256} are missing from storage; upload them again.`,
					details: { sha256 }
				});
			return new Uint8Array(await obj.arrayBuffer());
		}
	});
	return {
		model: target.modelName,
		version: target.version,
		task: prep.target.task,
		predictions: decodePredictions(prep, output, encoded.rows),
		latencyMs: Date.now() - startedAt
	};
}

/** Both steps, for callers that hold the body already (a Cron handler, a Durable Object, a test). */
export async function predict(deps: InferenceDeps, input: PredictInput): Promise<PredictResponse> {
	const startedAt = Date.now();
	const target = await resolve(deps, input);
	const out = await score(deps, target, input.body);
	return { ...out, latencyMs: Date.now() - startedAt };
}
