import { afterEach, describe, expect, it } from 'vitest';
import { trainConfig } from '../../../src/lib/notebook/schema';
import { splitSets } from '../../../src/lib/train/engine/split-sets';
import { checkTrainingData } from '../../../src/lib/ml/validate';
import { classificationReport, regressionReport } from '../../../src/lib/ml/metrics';
import { decodeRegression, encode, labelTarget } from '../../../src/lib/ml/preprocess';
import { predictionColumns } from '../../../src/lib/ml/predictions';
import * as data from '../../../src/lib/train/engine/prepared';
import type { Frame } from '../../../src/lib/ml/types';
import { cat, frame, num, times } from '../../ml/frame';
import { PREDICTION_FEATURE } from '../../../src/lib/ml/profile';
import { ReferenceProfile } from '../../../src/lib/ml/monitor/reference';

// 600 rows: y is a class from x (with a few unlabelled rows), z a noisy number, g a category.
const x = times(600, (i) => ((i * 37) % 100) / 10);
const source = frame(
	num('x', x),
	num(
		'z',
		times(600, (i) => (i * 13) % 17)
	),
	cat(
		'g',
		times(600, (i) => `g${i % 4}`)
	),
	cat(
		'y',
		times(600, (i) => (i % 97 === 5 ? null : x[i] > 5 ? 'hi' : 'lo'))
	)
);
const labelled = frame(
	num('x', x),
	num(
		'z',
		times(600, (i) => (i * 13) % 17)
	),
	cat(
		'g',
		times(600, (i) => `g${i % 4}`)
	),
	cat(
		'y',
		times(600, (i) => (x[i] > 5 ? 'hi' : 'lo'))
	)
);
const config = trainConfig.parse({ target: 'y', seed: 9 });
const features = ['x', 'z', 'g'];
/** A stand-in model: the first encoded feature as a probability (x standardised, squashed). */
const scorer: data.Scorer = async (xs, rows, width) =>
	Float32Array.from({ length: rows }, (_, i) => 1 / (1 + Math.exp(-xs[i * width])));

afterEach(() => data.release(data.staged()));

describe('the train worker’s prepared data', () => {
	it('stages a frame and answers its shape, never its rows; release frees it', () => {
		const ref = data.stageFrame(labelled);
		expect(ref).toEqual({
			handle: expect.stringMatching(/^frame-/),
			rowCount: 600,
			columns: [
				{ name: 'x', kind: 'numeric' },
				{ name: 'z', kind: 'numeric' },
				{ name: 'g', kind: 'categorical' },
				{ name: 'y', kind: 'categorical' }
			]
		});
		expect(data.staged()).toEqual([ref.handle]);
		data.release([ref.handle, 'frame-unknown']);
		expect(data.staged()).toEqual([]);
		expect(() => data.checkFrame(ref.handle, { target: 'y', features, fractions: fractions() })).toThrow(
			/no staged data under "frame-\d+"/
		);
	});

	it('checks and splits exactly as the kernel does on the page, and keeps the encoded sets here', () => {
		const ref = data.stageFrame(labelled);
		const opts = { target: 'y', features, fractions: fractions() };
		expect(data.checkFrame(ref.handle, opts)).toEqual(checkTrainingData(labelled, opts));
		const got = data.splitFrame({ frame: ref.handle, config, features, task: 'binary' });
		if ('refused' in got) throw new Error(got.refused.message);
		const want = splitSets({
			config,
			frame: labelled,
			test: undefined,
			features,
			task: 'binary',
			stratify: labelTarget(labelled.columns[3]).labels
		});
		if (!want.ok) throw new Error(want.message);
		expect(got.prep).toEqual(want.prep);
		expect(got.note).toBe(want.note);
		expect(got.rows).toEqual({
			train: want.sets.train.rows,
			validation: want.sets.validation.rows,
			test: want.sets.test.rows
		});
		const sets = data.trainingSets(got.handle);
		expect(sets.train.x).toEqual(want.sets.train.x);
		expect(sets.validation.y).toEqual(want.sets.validation.y);
		expect(data.staged()).toEqual([ref.handle, got.handle]);
	});

	it('a split the strategy refuses comes back as its data-check code, and nothing is kept', () => {
		const ref = data.stageFrame(labelled);
		const got = data.splitFrame({
			frame: ref.handle,
			config: trainConfig.parse({ target: 'y', split: 'group', splitColumn: 'nope' }),
			features,
			task: 'binary'
		});
		expect(got).toMatchObject({
			refused: { code: expect.any(String), message: expect.stringContaining('nope') }
		});
		expect(data.staged()).toEqual([ref.handle]);
	});

	it('scores the test split: the report is the kernel’s on the same predictions', async () => {
		const ref = data.stageFrame(labelled);
		const got = data.splitFrame({ frame: ref.handle, config, features, task: 'binary' });
		if ('refused' in got) throw new Error(got.refused.message);
		const want = splitSets({
			config,
			frame: labelled,
			test: undefined,
			features,
			task: 'binary',
			stratify: labelTarget(labelled.columns[3]).labels
		});
		if (!want.ok) throw new Error(want.message);
		const t = want.sets.test;
		const expected = classificationReport(
			Int32Array.from(t.y),
			await scorer(t.x, t.rows, t.width),
			(want.prep.target as { classes: string[] }).classes
		);
		const scored = await data.scoreTestSet(got.handle, scorer);
		expect(scored.report).toEqual(expected);
		// The reference profile: the raw inputs over the training split, the predictions over the test split.
		const { inputs: reference, prediction } = ReferenceProfile.fromJSON(
			JSON.parse(JSON.stringify(scored.reference))
		);
		expect([...reference.features.keys()]).toEqual(['x', 'z', 'g']);
		expect(reference.rowCount).toBe(want.trainRows.length);
		expect(prediction!.rowCount).toBe(t.rows);
		const trainX = Array.from(want.trainRows, (r) => x[r]);
		expect(reference.numeric('x').mean).toBeCloseTo(trainX.reduce((a, b) => a + b, 0) / trainX.length, 9);
		expect(reference.categorical('g').counts.get('g0')).toBe(
			Array.from(want.trainRows).filter((r) => r % 4 === 0).length
		);
		const probs = await scorer(t.x, t.rows, t.width);
		const hi = Array.from(probs).filter((p) => p > 0.5).length;
		const classes = (want.prep.target as { classes: string[] }).classes;
		expect(Object.fromEntries(prediction!.categorical(PREDICTION_FEATURE).counts)).toEqual(
			Object.fromEntries(
				[
					[classes[1], hi],
					[classes[0], t.rows - hi]
				].filter(([, n]) => (n as number) > 0)
			)
		);
	});

	it('evaluates any table on its labelled rows only, with the training-time preprocessing', async () => {
		const prep = preprocessing();
		const ref = data.stageFrame(source);
		const r = await data.evaluateFrame({ frame: ref.handle, table: 'later', prep }, scorer);
		if (!r.ok) throw new Error(r.error.message);
		const keep = times(600, (i) => i).filter((i) => i % 97 !== 5);
		expect(r.rows).toBe(keep.length);
		const all = encode(prep, source);
		const y = Int32Array.from(keep, (i) => all.y[i]);
		const xs = Float32Array.from(
			keep.flatMap((i) => Array.from(all.x.subarray(i * all.width, (i + 1) * all.width)))
		);
		const classes = (prep.target as { classes: string[] }).classes;
		expect(r.report).toEqual(classificationReport(y, await scorer(xs, keep.length, all.width), classes));
	});

	it('names what is wrong with a table it cannot evaluate', async () => {
		const prep = preprocessing();
		const cases: [Frame, string, RegExp][] = [
			[
				frame(num('x', [1]), cat('y', ['hi'])),
				'MissingColumns',
				/later lacks "z", "g", which the model needs/
			],
			[
				frame(num('x', [1, 2]), num('z', [1, 2]), cat('g', ['g0', 'g1']), cat('y', [null, null])),
				'NoLabels',
				/later has no rows with a value in "y"/
			],
			[
				frame(num('x', [1]), num('z', [1]), cat('g', ['g0']), cat('y', ['mid'])),
				'UnseenClassError',
				/class "mid" at row 1/
			],
			[
				frame(cat('x', ['1']), num('z', [1]), cat('g', ['g0']), cat('y', ['hi'])),
				'ColumnKindError',
				/Feature "x" was numeric in training, now categorical/
			]
		];
		for (const [f, name, message] of cases) {
			const ref = data.stageFrame(f);
			const r = await data.evaluateFrame({ frame: ref.handle, table: 'later', prep }, scorer);
			expect(r).toEqual({ ok: false, error: { name, message: expect.stringMatching(message) } });
		}
	});

	it('predicts a table of features into the predictions columns', async () => {
		const prep = preprocessing();
		const features_only = frame(...labelled.columns.slice(0, 3));
		const ref = data.stageFrame(features_only);
		const r = await data.predictFrame({ frame: ref.handle, prep }, scorer);
		if (!r.ok) throw new Error(r.error.message);
		const e = encode(prep, features_only);
		expect(r.columns).toEqual(predictionColumns(prep, await scorer(e.x, e.rows, e.width), e.rows));
		expect(r.rows).toBe(600);
	});

	it('takes a frame posted on a MessagePort, and says so when the sender had none', async () => {
		const a = new MessageChannel();
		const got = data.receiveFrame(a.port2);
		a.port1.postMessage(labelled);
		const ref = await got;
		if ('ok' in ref) throw new Error(ref.error.message);
		expect(ref.rowCount).toBe(600);
		expect(data.checkFrame(ref.handle, { target: 'y', features, fractions: fractions() })).toMatchObject({
			ok: true,
			task: 'binary'
		});
		const b = new MessageChannel();
		const none = data.receiveFrame(b.port2);
		b.port1.postMessage(null);
		expect(await none).toEqual({
			ok: false,
			error: { name: 'FrameError', message: 'the data worker sent no table' }
		});
	});

	it('regression: the report is in the target’s units', async () => {
		const f = frame(
			num('x', x),
			num(
				'v',
				x.map((v) => 3 * v + 1)
			)
		);
		const ref = data.stageFrame(f);
		const got = data.splitFrame({
			frame: ref.handle,
			config: trainConfig.parse({ target: 'v' }),
			features: ['x'],
			task: 'regression'
		});
		if ('refused' in got) throw new Error(got.refused.message);
		const { report: rep, reference } = await data.scoreTestSet(got.handle, async (xs, rows) =>
			xs.slice(0, rows)
		);
		const set = splitSets({
			config: trainConfig.parse({ target: 'v' }),
			frame: f,
			test: undefined,
			features: ['x'],
			task: 'regression',
			stratify: undefined
		});
		if (!set.ok) throw new Error(set.message);
		const t = set.sets.test;
		expect(rep).toEqual(
			regressionReport(decodeRegression(set.prep, t.y), decodeRegression(set.prep, t.x.slice(0, t.rows)))
		);
		// A regressor's reference prediction is numeric, in the target's units.
		const predicted = ReferenceProfile.fromJSON(reference).prediction!.numeric(PREDICTION_FEATURE);
		const values = Array.from(decodeRegression(set.prep, t.x.slice(0, t.rows)));
		expect(predicted.sketch.n).toBe(t.rows);
		expect(predicted.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
	});
});

function fractions() {
	return { train: 0.7, validation: 0.15, test: 0.15 };
}

function preprocessing() {
	const ref = data.stageFrame(labelled);
	const got = data.splitFrame({ frame: ref.handle, config, features, task: 'binary' });
	if ('refused' in got) throw new Error(got.refused.message);
	data.release([ref.handle, got.handle]);
	return got.prep;
}
