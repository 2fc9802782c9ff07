import { describe, expect, it } from 'vitest';
import { preprocessingSchema, type Transform } from '../../src/lib/contract';
import { encode, fitPreprocessing } from '../../src/lib/ml/preprocess';
import { range } from '../../src/lib/ml/random';
import { TransformError, applyTransforms, bucketLabel, epochMsOf } from '../../src/lib/ml/transforms';
import type { Frame } from '../../src/lib/ml/types';

const num = (name: string, values: number[]) => ({
	name,
	kind: 'numeric' as const,
	values: Float64Array.from(values)
});
const cat = (name: string, values: (string | null)[]) => ({ name, kind: 'categorical' as const, values });

// 2024-01-05 is a Friday (DuckDB dayofweek 5); 06:30 UTC; day 5 of the year.
const FRI = Date.UTC(2024, 0, 5, 6, 30);
const SUN = Date.UTC(2023, 11, 31, 23, 59);

describe('applyTransforms', () => {
	const frame: Frame = {
		rowCount: 4,
		columns: [
			num('delay', [-100, 30, 500, NaN]),
			num('when', [FRI, SUN, NaN, FRI]),
			cat('stamp', ['2024-01-05T06:30:00', '2023-12-31 23:59:00+00:00', null, '2024-01-05'])
		]
	};
	const T: Transform[] = [
		{ op: 'clip', column: 'delay', as: 'delay_c', min: -60, max: 180 },
		{ op: 'log1p', column: 'delay', as: 'delay_log' },
		{ op: 'datepart', column: 'when', as: 'hour', part: 'hour' },
		{ op: 'datepart', column: 'when', as: 'dow', part: 'weekday' },
		{ op: 'datepart', column: 'stamp', as: 'doy', part: 'dayofyear' },
		{ op: 'bucket', column: 'delay', as: 'delay_b', edges: [0, 60] }
	];

	it('writes each new column as DuckDB would compute it, and leaves the sources as they were', () => {
		const out = applyTransforms(T, frame);
		const col = (n: string) => out.columns.find((c) => c.name === n)!.values;
		expect(Array.from(col('delay_c') as Float64Array)).toEqual([-60, 30, 180, NaN]);
		expect(Array.from(col('delay_log') as Float64Array)).toEqual([NaN, Math.log1p(30), Math.log1p(500), NaN]);
		expect(Array.from(col('hour') as Float64Array)).toEqual([6, 23, NaN, 6]);
		expect(Array.from(col('dow') as Float64Array)).toEqual([5, 0, NaN, 5]);
		expect(Array.from(col('doy') as Float64Array)).toEqual([5, 365, NaN, 5]);
		expect(col('delay_b')).toEqual(['< 0', '[0, 60)', '>= 60', null]);
		expect(out.columns.slice(0, 3)).toEqual(frame.columns);
		// Applying again recomputes the same columns from the same sources.
		expect(applyTransforms(T, out)).toEqual(out);
	});

	it('reads ISO text in UTC whatever its form, and refuses what is not a date', () => {
		expect(epochMsOf('2024-01-05T06:30:00')).toBe(FRI);
		expect(epochMsOf('2024-01-05 06:30:00Z')).toBe(FRI);
		expect(epochMsOf('2024-01-05T08:30:00+02:00')).toBe(FRI);
		expect(epochMsOf('2024-01-05')).toBe(Date.UTC(2024, 0, 5));
		for (const bad of ['yesterday', '6', '05/01/2024', '']) expect(epochMsOf(bad)).toBeNaN();
		expect(bucketLabel(1000, [500, 1000])).toBe('>= 1000');
		expect(bucketLabel(999.5, [500, 1000])).toBe('[500, 1000)');
	});

	it('names a missing or text source', () => {
		expect(() => applyTransforms([{ op: 'log1p', column: 'nope', as: 'x' }], frame)).toThrow(
			new TransformError('log1p(nope) reads the column "nope", which is not in the table.')
		);
		expect(() => applyTransforms([{ op: 'clip', column: 'stamp', as: 'x', min: 0, max: 1 }], frame)).toThrow(
			'clip(stamp) needs a numeric column; "stamp" is text.'
		);
	});

	it('the contract refuses a transform onto its own source, decreasing edges and min over max', () => {
		const prep = (t: unknown) => ({
			version: 1,
			transforms: [t],
			features: [{ name: 'x', kind: 'numeric', mean: 0, std: 1, impute: 0 }],
			target: { name: 'y', task: 'regression', mean: 0, std: 1 },
			width: 1
		});
		for (const bad of [
			{ op: 'log1p', column: 'x', as: 'x' },
			{ op: 'bucket', column: 'x', as: 'b', edges: [2, 1] },
			{ op: 'clip', column: 'x', as: 'c', min: 3, max: 1 },
			{ op: 'datepart', column: 'x', as: 'd', part: 'fortnight' }
		])
			expect(preprocessingSchema.safeParse(prep(bad)).success, JSON.stringify(bad)).toBe(false);
		expect(preprocessingSchema.safeParse(prep({ op: 'log1p', column: 'x', as: 'lx' })).success).toBe(true);
	});
});

describe('a model with declared transforms and top-K categories', () => {
	const frame: Frame = {
		rowCount: 6,
		columns: [
			num('delay', [10, 500, -90, 20, 40, 0]),
			cat('origin', ['SEA', 'SEA', 'SEA', 'PDX', 'PDX', 'BOI']),
			num('late', [0, 1, 0, 0, 1, 0])
		]
	};
	const transforms: Transform[] = [{ op: 'clip', column: 'delay', as: 'delay_c', min: -60, max: 180 }];
	const prep = fitPreprocessing(frame, {
		target: 'late',
		features: ['delay_c', 'origin'],
		task: 'binary',
		trainRows: range(6),
		transforms,
		topK: { origin: 2 }
	});

	it('saves the transforms and keeps only the top K categories (the rest share the last slot)', () => {
		expect(prep.transforms).toEqual(transforms);
		expect(prep.features[1]).toEqual({ name: 'origin', kind: 'categorical', categories: ['SEA', 'PDX'] });
		expect(preprocessingSchema.safeParse(prep).success).toBe(true);
	});

	it('encodes raw rows the same as rows that carry the transformed column already', () => {
		const raw = encode(prep, frame);
		expect(encode(prep, applyTransforms(transforms, frame))).toEqual(raw);
		// Row 2: delay 500 clips to 180; row 6: BOI (a rare value) and an unseen airport land in the same slot.
		const mean = prep.features[0].kind === 'numeric' ? prep.features[0] : null;
		expect(raw.x[1 * raw.width]).toBe(Math.fround((180 - mean!.mean) / mean!.std));
		const unseen = encode(prep, {
			rowCount: 1,
			columns: [num('delay', [0]), cat('origin', ['SAN'])]
		});
		expect(Array.from(unseen.x.slice(1))).toEqual(Array.from(raw.x.slice(5 * raw.width + 1, 6 * raw.width)));
		expect(Array.from(unseen.x.slice(1))).toEqual([0, 0, 1]);
	});
});

describe('parseTransformText: what a train cell declares', () => {
	it('reads each function, the default and the chosen names, and skips blank lines and comments', async () => {
		const { parseTransformText } = await import('../../src/lib/ml/transforms');
		expect(
			parseTransformText(
				'hour(dep_time)\n\n# the weekday too\nweekday(dep_time) as dow\nclip(delay, -60, )\nlog1p("trip distance") as log_dist\nbucket(distance, 500, 1000)\ntop(origin, 20)'
			)
		).toEqual({
			ok: true,
			transforms: [
				{ op: 'datepart', column: 'dep_time', as: 'dep_time_hour', part: 'hour' },
				{ op: 'datepart', column: 'dep_time', as: 'dow', part: 'weekday' },
				{ op: 'clip', column: 'delay', as: 'delay_clip', min: -60, max: null },
				{ op: 'log1p', column: 'trip distance', as: 'log_dist' },
				{ op: 'bucket', column: 'distance', as: 'distance_bucket', edges: [500, 1000] }
			],
			topK: { origin: 20 }
		});
		expect(parseTransformText('')).toEqual({ ok: true, transforms: [], topK: {} });
	});

	it.each([
		['sqrt(x)', 1, /no transform "sqrt"/],
		['hour x', 1, /write it as function\(column, …\)/],
		['hour(x)\nclip(y, 5)', 2, /clip\(y, min, max\)/],
		['clip(y, 9, 1)', 1, /min 9 is above its max 1/],
		['clip(y, a, 1)', 1, /clip’s min must be a number, not "a"/],
		['bucket(y, 3, 2)', 1, /edges must increase/],
		['bucket(y)', 1, /needs at least one edge/],
		['top(origin, 0)', 1, /keeps K of 1 to 50/],
		['top(origin, 5) as o', 1, /takes no "as"/],
		['log1p(x) as x', 1, /must write a new column/],
		['hour(t) as h\nminute(t) as h', 2, /"h" is written twice/],
		['hour()', 1, /needs a column/]
	])('%j is refused at line %i', async (text, line, message) => {
		const { parseTransformText } = await import('../../src/lib/ml/transforms');
		const r = parseTransformText(text);
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(r.line).toBe(line);
		expect(r.message).toMatch(message);
	});
});
