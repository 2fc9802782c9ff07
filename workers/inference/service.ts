import {
	LIMITS,
	preprocessingSchema,
	scoringRows,
	trafficBucket,
	parseTraffic,
	type GraphPredictResponse,
	type PredictionRecord,
	type Traffic,
	type PredictResponse,
	type StickyBy
} from '../../src/lib/contract';
import { encode } from '../../src/lib/ml/preprocess';
import { TensorInputError, feedsFor, isTensor, predictionsOf } from '../../src/lib/ml/tensors';
import type { Preprocessing } from '../../src/lib/ml/types';
import {
	AliasNotFound,
	BrokenArtifact,
	DomainError,
	InvalidInput,
	InvalidModel,
	ModelNotFound,
	NotServable,
	VersionNotFound
} from '../domain/errors';
import { sha256Hex } from '../auth/hash';
import { blobKey } from '../registry/read-artifacts';
import { getModel } from '../registry/read-models';
import { decodePredictions } from './decode';
import { toFrame } from './frame';
import { predictBody, scoringBody, tooLarge } from './bodies';
import { gatherLog, type LogEnv } from '../predictions/log-store';
import { predictionId, predictionRecords, rowsOfRequest, rowsOfScoring } from '../predictions/records';
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
	/**
	 * The prediction log, where the caller has one: the models' log buffers and how to finish work after the
	 * answer (`ctx.waitUntil`), so logging never delays it. Without it nothing is logged (a test, a dry run).
	 */
	log?: { logs: LogEnv['PREDICTION_LOG']; waitUntil: (work: Promise<unknown>) => void };
}

export type VersionRef = { version: number } | { alias: string };

export interface PredictInput {
	workspaceId: string;
	modelName: string;
	ref: VersionRef;
	/** The request as parsed JSON: checked here against the contract's rows or columns shape. */
	body: unknown;
}

/**
 * What a version needs to serve: an ONNX artifact this workspace uploaded, and either the app's preprocessing
 * spec (a notebook-trained model: raw feature records in) or nothing more (any other graph: tensors in, checked
 * against the signature read from the graph itself).
 */
function servable(v: ServingVersion): { sha256: string; prep: Preprocessing | null } {
	const where = `Version ${v.version} of "${v.modelName}"`;
	const details = { modelName: v.modelName, version: v.version };
	const raw = v.signature?.preprocessing;
	const parsed = raw === undefined ? null : preprocessingSchema.safeParse(raw);
	if (parsed && !parsed.success)
		throw new InvalidModel({
			message: `${where} has a malformed signature.preprocessing: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}. Register the version again from the notebook.`,
			details: { ...details, issues: parsed.error.issues.slice(0, 20) }
		});
	const sha256 = v.artifactSha256;
	if (!sha256)
		throw new NotServable({
			message: `${where} has no ONNX artifact. Upload its ONNX file (PUT /api/v1/blobs/<sha256>) and register a version with that artifactSha256, or log the .onnx file under the run's model folder before model-versions/create.`,
			details
		});
	// Through blob_refs only: a hash another workspace uploaded never serves here.
	if (!v.hasArtifact)
		throw new NotServable({
			message: `${where} names artifact ${sha256}, which this workspace never uploaded. PUT its ONNX bytes to /api/v1/blobs/${sha256}.`,
			details: { ...details, sha256 }
		});
	return { sha256, prep: parsed ? parsed.data : null };
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
	workspaceId: string;
	modelName: string;
	version: number;
	/** The alias the caller named, when it named one: answers say which alias (and version) served them. */
	alias?: string;
	sha256: string;
	/** The app's preprocessing for a notebook-trained model; null for any other graph (tensors in). */
	prep: Preprocessing | null;
	/** The model's prediction-log settings: the share of requests logged, and inputs kept or only hashed. */
	logging: { sampleRate: number; hashInputs: boolean };
	/** The alias's traffic split (canary or shadow), when called through an alias that has one. */
	traffic: Traffic | null;
}

/** A tag's text as a rate in [0, 1]; unset or unreadable is 1 (log everything), as the contract's default says. */
function sampleRateOf(raw: string | null): number {
	const n = raw === null ? NaN : Number(raw);
	return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 1;
}

export type TargetRef = Omit<PredictInput, 'body'>;

/**
 * Step one: which version serves `ref`, and whether it can, with the alias's traffic split (which `score`
 * applies). Apart from `score` so that the HTTP door reads the body only once the model is known to serve.
 */
export async function resolve(deps: InferenceDeps, ref: TargetRef): Promise<Target> {
	const v = await find(deps, ref);
	const alias = 'alias' in ref.ref ? { alias: ref.ref.alias } : {};
	const logging = { sampleRate: sampleRateOf(v.logSampleRate), hashInputs: v.logInputs === 'hash' };
	// A tag that does not parse serves as none: the alias answers alone.
	const traffic = parseTraffic(v.traffic);
	return {
		workspaceId: ref.workspaceId,
		modelName: v.modelName,
		version: v.version,
		...alias,
		...servable(v),
		logging,
		traffic
	};
}

function artifactBytes(deps: InferenceDeps, sha256: string) {
	return async () => {
		const obj = await deps.bucket.get(blobKey(sha256));
		if (!obj)
			throw new NotServable({
				message: `The bytes of ${sha256} are missing from storage; upload them again.`,
				details: { sha256 }
			});
		const bytes = new Uint8Array(await obj.arrayBuffer());
		// Checked once per load (then cached): damaged bytes must never be run as though they were the model.
		const actual = await sha256Hex(bytes);
		if (actual !== sha256)
			throw new BrokenArtifact({
				message: `The stored bytes of artifact ${sha256} hash to ${actual}: storage is damaged. Upload the ONNX file again.`,
				details: { sha256, actual }
			});
		return bytes;
	};
}

/** A notebook-trained model: raw records → the version's preprocessing → "features" → decoded predictions. */
async function scoreRecords(deps: InferenceDeps, target: Target, prep: Preprocessing, body: unknown) {
	const request = predictBody(body);
	const encoded = encode(prep, toFrame(prep, request));
	// ORT loads here, on the first prediction an isolate serves: every other caller stays light.
	const { runModel } = await import('./run');
	const output = await runModel({
		sha256: target.sha256,
		features: encoded.x,
		rows: encoded.rows,
		width: encoded.width,
		bytes: artifactBytes(deps, target.sha256)
	});
	const predictions = decodePredictions(prep, output, encoded.rows);
	return {
		out: { task: prep.target.task, predictions },
		count: encoded.rows,
		inputs: () => rowsOfRequest(request)
	};
}

/** Any other graph: MLflow's formats → feeds checked against the graph's own signature → outputs by name. */
async function scoreTensors(deps: InferenceDeps, target: Target, raw: unknown) {
	const body = scoringBody(raw);
	const { loaded, runGraph } = await import('./run');
	const model = await loaded(target.sha256, artifactBytes(deps, target.sha256));
	const other = model.signature.inputs.find((i) => !isTensor(i));
	if (other)
		throw new NotServable({
			message: `Input "${other.name}" of version ${target.version} of "${target.modelName}" is ${other.onnxType}, not a tensor: JSON requests can feed tensor inputs only.`,
			details: { input: other.name }
		});
	let feeds;
	try {
		feeds = feedsFor(model.signature, body);
	} catch (e) {
		if (!(e instanceof TensorInputError)) throw e;
		throw new InvalidInput({
			message: e.message,
			details: { input: e.input, signature: { inputs: model.signature.inputs } }
		});
	}
	if (feeds[0] && feeds[0].dims[0] > LIMITS.predictRows) throw tooLarge(feeds[0].dims[0]);
	const { outputs } = await runGraph(model, feeds);
	const firstInput = model.signature.inputs[0].name;
	return {
		out: { predictions: predictionsOf(outputs, body) },
		count: scoringRows(body),
		inputs: () => rowsOfScoring(body, firstInput)
	};
}

type Route = PredictionRecord['route'];

/** The request's sticky key for a canary: a header, or a field of the body's `params`; null when absent. */
function stickyKey(by: StickyBy | undefined, headers: Headers | undefined, body: unknown): string | null {
	if (!by) return null;
	if ('header' in by) return headers?.get(by.header) ?? null;
	const params =
		typeof body === 'object' && body !== null ? (body as { params?: unknown }).params : undefined;
	const value =
		typeof params === 'object' && params !== null ? (params as Record<string, unknown>)[by.param] : undefined;
	return value === undefined || value === null ? null : String(value);
}

/** The split's other version, ready to score, or null when it no longer can (deleted, no artifact). */
async function secondTarget(deps: InferenceDeps, primary: Target, version: number): Promise<Target | null> {
	try {
		const t = await resolve(deps, {
			workspaceId: primary.workspaceId,
			modelName: primary.modelName,
			ref: { version }
		});
		return { ...t, alias: primary.alias, logging: primary.logging };
	} catch (e) {
		if (e instanceof DomainError) return null;
		throw e;
	}
}

async function scoreBody(deps: InferenceDeps, target: Target, body: unknown) {
	const startedAt = Date.now();
	const scored = target.prep
		? await scoreRecords(deps, target, target.prep, body)
		: await scoreTensors(deps, target, body);
	// `inputs` builds each row's record: only the log needs them, so only a logged request pays for it.
	return { ...scored, latencyMs: Date.now() - startedAt };
}

function writeLog(
	log: NonNullable<InferenceDeps['log']>,
	target: Target,
	route: Route,
	ids: string[],
	scored: Awaited<ReturnType<typeof scoreBody>>,
	shadowOf?: string[]
): Promise<void> {
	const owner = { workspaceId: target.workspaceId, modelName: target.modelName };
	return predictionRecords({
		ids,
		at: Date.now(),
		model: target.modelName,
		version: target.version,
		alias: target.alias ?? null,
		inputs: scored.inputs(),
		predictions: scored.out.predictions,
		latencyMs: scored.latencyMs,
		hashInputs: target.logging.hashInputs,
		route,
		shadowOf
	}).then((records) => gatherLog({ PREDICTION_LOG: log.logs }, owner, records, log.waitUntil));
}

export interface ScoreOptions {
	/** The request's headers, for a canary sticky by a header. */
	headers?: Headers;
	/** Told the version chosen to answer (the canary's, where the split sends the request there) before it scores. */
	onServing?: (version: number) => void;
}

/**
 * Step two: scores `body` (parsed JSON, checked here) with the target, or with its alias's canary for the share
 * of requests the split sends there (sticky by the request key where one is set). Every answer carries one
 * prediction id per row; where the caller gave a log, a sampled request's rows are written to it after the answer
 * (`waitUntil`), and a shadow version scores the same body there too, its rows logged beside the answer's.
 * Refused requests are never logged: the log holds predictions, not attempts.
 */
export async function score(
	deps: InferenceDeps,
	target: Target,
	body: unknown,
	opts: ScoreOptions = {}
): Promise<PredictResponse | GraphPredictResponse> {
	const split = target.traffic;
	let serving = target;
	let route: Route = 'primary';
	if (split && 'canary' in split && target.alias) {
		const key = stickyKey(split.canary.stickyBy, opts.headers, body);
		const place = key === null ? Math.random() * 100 : trafficBucket(target.alias, key);
		const canary =
			place < split.canary.percent ? await secondTarget(deps, target, split.canary.version) : null;
		if (canary) [serving, route] = [canary, 'canary'];
	}
	opts.onServing?.(serving.version);
	const scored = await scoreBody(deps, serving, body);
	const predictionIds = Array.from({ length: scored.count }, () => predictionId());
	const log = deps.log;
	if (log && Math.random() < target.logging.sampleRate) {
		// A log that cannot be written never fails the answer already given; it is reported, not swallowed.
		const report = (e: unknown) => console.error('prediction log: append failed', e);
		log.waitUntil(writeLog(log, serving, route, predictionIds, scored).catch(report));
		if (split && 'shadow' in split) {
			const shadowing = (async () => {
				const shadow = await secondTarget(deps, target, split.shadow.version);
				if (!shadow) return;
				const shadowScored = await scoreBody(deps, shadow, body);
				const ids = Array.from({ length: shadowScored.count }, () => predictionId());
				await writeLog(log, shadow, 'shadow', ids, shadowScored, predictionIds);
			})();
			log.waitUntil(shadowing.catch(report));
		}
	}
	return {
		model: serving.modelName,
		version: serving.version,
		...scored.out,
		predictionIds,
		latencyMs: scored.latencyMs
	};
}
/** Both steps, for callers that hold the body already (a Cron handler, a Durable Object, a test). */
export async function predict(
	deps: InferenceDeps,
	input: PredictInput
): Promise<PredictResponse | GraphPredictResponse> {
	const startedAt = Date.now();
	const target = await resolve(deps, input);
	const out = await score(deps, target, input.body);
	return { ...out, latencyMs: Date.now() - startedAt };
}
