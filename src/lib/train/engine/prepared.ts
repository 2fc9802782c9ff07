/**
 * Data preparation inside the train worker: the tables a cell trains on, evaluates or predicts arrive here
 * straight from the data worker (frame-pipe.ts), and are checked, split, fit, encoded and scored here, so none
 * of that work (about a second per 1M rows × 20 features, measured by bench:train) runs on the page's main
 * thread. The page holds handles, never rows (docs/architecture.md, "The training session").
 */
import { checkTrainingData, type CheckOptions } from '../../ml/validate';
import { applyTransforms, rawInputs } from '../../ml/transforms';
import type { Transform } from '../../contract/preprocessing';
import { decodeRegression, encode, labelTarget } from '../../ml/preprocess';
import { classificationReport, regressionReport } from '../../ml/metrics';
import type { TimeFormat } from '../../ml/split-strategies';
import { predictionColumns, type PredictionColumn } from '../../ml/predictions';
import { splitSets, type SplitConfig } from './split-sets';
import {
	inputsProfile,
	predictionProfile,
	ReferenceProfile,
	type ReferenceProfileJSON
} from '../../ml/monitor/reference';
import type { DatasetProfile } from '../../ml/profile';
import type {
	DataCheck,
	DataCheckCode,
	Encoded,
	EvaluationReport,
	Frame,
	Preprocessing,
	Task
} from '../../ml/types';

/** What the page learns about a staged table: its handle and shape, never its rows. */
export interface FrameRef {
	handle: string;
	rowCount: number;
	columns: { name: string; kind: 'numeric' | 'categorical' }[];
}

export interface PreparedRef {
	handle: string;
	prep: Preprocessing;
	note: string;
	rows: { train: number; validation: number; test: number };
	width: number;
}

export type Failure = { ok: false; error: { name: string; message: string } };

interface Sets {
	prep: Preprocessing;
	train: Encoded;
	validation: Encoded;
	test: Encoded;
	/** Where the training split came from, for its reference profile (the frame is shared, not copied). */
	source: { frame: Frame; trainRows: Uint32Array };
	/** Built once per split: a sweep's trials share the inputs' part. */
	inputsProfile?: DatasetProfile;
}

/** Scores encoded rows with a model: rows × outputs, row-major (the worker binds it to its backend). */
export type Scorer = (x: Float32Array, rows: number, width: number) => Promise<Float32Array>;

const frames = new Map<string, Frame>();
const prepared = new Map<string, Sets>();
let counter = 0;
const newHandle = (kind: string) => `${kind}-${++counter}`;

export class UnknownHandleError extends Error {
	constructor(handle: string) {
		super(`no staged data under "${handle}" in the train worker (released, or the worker restarted)`);
		this.name = 'UnknownHandleError';
	}
}

export function frameOf(handle: string): Frame {
	const f = frames.get(handle);
	if (!f) throw new UnknownHandleError(handle);
	return f;
}

function setsOf(handle: string): Sets {
	const s = prepared.get(handle);
	if (!s) throw new UnknownHandleError(handle);
	return s;
}

export function stageFrame(frame: Frame): FrameRef {
	const handle = newHandle('frame');
	frames.set(handle, frame);
	return {
		handle,
		rowCount: frame.rowCount,
		columns: frame.columns.map((c) => ({ name: c.name, kind: c.kind }))
	};
}

/** The frame the data worker posts on `port` (or null when it could not build one). */
export function receiveFrame(port: MessagePort): Promise<FrameRef | Failure> {
	return new Promise((resolve) => {
		port.onmessage = (e: MessageEvent<Frame | null>) => {
			port.close();
			resolve(
				e.data
					? stageFrame(e.data)
					: { ok: false, error: { name: 'FrameError', message: 'the data worker sent no table' } }
			);
		};
	});
}

/**
 * Adds the cell's declared transforms' columns to a staged table, in place under its handle, so the data check,
 * the split and the fit see the features the model will take; a missing or text source is a TransformError.
 */
export function transformFrame(handle: string, transforms: Transform[]): FrameRef {
	const frame = applyTransforms(transforms, frameOf(handle));
	frames.set(handle, frame);
	return {
		handle,
		rowCount: frame.rowCount,
		columns: frame.columns.map((c) => ({ name: c.name, kind: c.kind }))
	};
}

/** Frees what the handles hold; unknown handles are ignored (a release after a restart is harmless). */
export function release(handles: string[]): void {
	for (const h of handles) {
		frames.delete(h);
		prepared.delete(h);
	}
}

/** Handles alive now: the tests (and a leak check) read it; a finished cell leaves none behind. */
export function staged(): string[] {
	return [...frames.keys(), ...prepared.keys()];
}

export type CheckRequest = Omit<CheckOptions, 'split'> & {
	split?: Omit<NonNullable<CheckOptions['split']>, 'test'> & { test?: string };
};

/** validate.ts on the staged table (and a table split's test table). */
export function checkFrame(handle: string, opts: CheckRequest): DataCheck {
	const split = opts.split
		? { ...opts.split, test: opts.split.test ? frameOf(opts.split.test) : undefined }
		: undefined;
	return checkTrainingData(frameOf(handle), { ...opts, split });
}

export interface SplitRequest {
	frame: string;
	test?: string;
	config: SplitConfig;
	features: string[];
	task: Task;
	timeFormat?: TimeFormat;
}

/** split-sets.ts on a staged frame: the encoded sets stay here under a new handle. */
export function splitFrame(
	req: SplitRequest
): PreparedRef | { refused: { code: DataCheckCode; message: string } } {
	const frame = frameOf(req.frame);
	let stratify: Int32Array | undefined;
	if (req.task !== 'regression') {
		const target = frame.columns.find((c) => c.name === req.config.target);
		if (target) stratify = labelTarget(target).labels;
	}
	const split = splitSets({
		config: req.config,
		frame,
		test: req.test ? frameOf(req.test) : undefined,
		features: req.features,
		task: req.task,
		stratify,
		timeFormat: req.timeFormat
	});
	if (!split.ok) return { refused: { code: split.code, message: split.message } };
	const handle = newHandle('sets');
	prepared.set(handle, { prep: split.prep, ...split.sets, source: { frame, trainRows: split.trainRows } });
	const { train, validation, test } = split.sets;
	return {
		handle,
		prep: split.prep,
		note: split.note,
		rows: { train: train.rows, validation: validation.rows, test: test.rows },
		width: train.width
	};
}

/**
 * The training and validation sets of a prepared handle. Handed to the session as they are (no copy): a trial
 * only reads them, so a sweep's trials share one encoding per split.
 */
export function trainingSets(handle: string): { train: Encoded; validation: Encoded; prep: Preprocessing } {
	const s = setsOf(handle);
	return { train: s.train, validation: s.validation, prep: s.prep };
}

export function report(prep: Preprocessing, test: Encoded, values: Float32Array): EvaluationReport {
	if (prep.target.task === 'regression')
		return regressionReport(decodeRegression(prep, test.y), decodeRegression(prep, values));
	return classificationReport(Int32Array.from(test.y), values, prep.target.classes);
}

/**
 * The test split of a prepared handle, scored, and the version's reference profile: the raw inputs over the
 * training split (built once per split) with the model's predictions over the test split (monitor/reference.ts).
 */
export async function scoreTestSet(
	handle: string,
	score: Scorer
): Promise<{ report: EvaluationReport; reference: ReferenceProfileJSON }> {
	const s = setsOf(handle);
	const outputs = await score(s.test.x, s.test.rows, s.test.width);
	s.inputsProfile ??= inputsProfile({ prep: s.prep, ...s.source });
	const reference = new ReferenceProfile(s.inputsProfile, predictionProfile(s.prep, outputs, s.test.rows));
	return { report: report(s.prep, s.test, outputs), reference: reference.toJSON() };
}

function failure(name: string, message: string): Failure {
	return { ok: false, error: { name, message } };
}

/** Only the rows with a label: an evaluate cell scores against the rows that have one. */
export function labelled(e: Encoded): Encoded {
	let n = 0;
	for (let i = 0; i < e.rows; i++) if (Number.isFinite(e.y[i])) n++;
	if (n === e.rows) return e;
	const x = new Float32Array(n * e.width);
	const y = new Float32Array(n);
	for (let i = 0, j = 0; i < e.rows; i++) {
		if (!Number.isFinite(e.y[i])) continue;
		x.set(e.x.subarray(i * e.width, (i + 1) * e.width), j * e.width);
		y[j++] = e.y[i];
	}
	return { x, y, rows: n, width: e.width };
}

/**
 * An evaluate cell's work on any table with the model's columns: encode with the training-time preprocessing,
 * keep the labelled rows, score, report. Expected failures are values naming the table and the columns.
 */
export async function evaluateFrame(
	req: { frame: string; table: string; prep: Preprocessing },
	score: Scorer
): Promise<{ ok: true; report: EvaluationReport; rows: number } | Failure> {
	const frame = frameOf(req.frame);
	const { prep, table } = req;
	// The raw columns: a feature a declared transform writes is computed from its source by `encode`.
	const needed = [...rawInputs(prep).keys(), prep.target.name];
	const have = new Set(frame.columns.map((c) => c.name));
	const missing = needed.filter((n) => !have.has(n));
	if (missing.length)
		return failure(
			'MissingColumns',
			`${table} lacks ${missing.map((m) => `"${m}"`).join(', ')}, which the model needs.`
		);
	let encoded: Encoded;
	try {
		encoded = encode(prep, frame);
	} catch (e) {
		return failure(e instanceof Error ? e.name : 'EncodeError', e instanceof Error ? e.message : String(e));
	}
	const test = labelled(encoded);
	if (test.rows === 0)
		return failure(
			'NoLabels',
			`${table} has no rows with a value in "${prep.target.name}" to score against.`
		);
	return {
		ok: true,
		report: report(prep, test, await score(test.x, test.rows, test.width)),
		rows: test.rows
	};
}

/** A predict cell's work: encode the features, score, turn outputs into the predictions table's columns. */
export async function predictFrame(
	req: { frame: string; prep: Preprocessing },
	score: Scorer
): Promise<{ ok: true; columns: PredictionColumn[]; rows: number } | Failure> {
	const frame = frameOf(req.frame);
	try {
		const encoded = encode(req.prep, frame);
		const values = await score(encoded.x, encoded.rows, encoded.width);
		return { ok: true, columns: predictionColumns(req.prep, values, encoded.rows), rows: encoded.rows };
	} catch (e) {
		if (e instanceof UnknownHandleError) throw e;
		return failure(e instanceof Error ? e.name : 'PredictError', e instanceof Error ? e.message : String(e));
	}
}
