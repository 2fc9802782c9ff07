import { z } from 'zod';

/** How one feature becomes model inputs; fit on the training split only and saved with the model. */
export type FeatureSpec =
	| { name: string; kind: 'numeric'; mean: number; std: number; impute: number }
	/** One-hot over `categories` plus one last slot for values not seen in training (and missing ones). */
	| { name: string; kind: 'categorical'; categories: string[] };

export type TargetSpec =
	| { name: string; task: 'regression'; mean: number; std: number }
	| { name: string; task: 'binary' | 'multiclass'; classes: string[] };

export const DATE_PARTS = ['year', 'month', 'day', 'hour', 'minute', 'weekday', 'dayofyear'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

/**
 * A row-wise transform declared with the model (src/lib/ml/transforms.ts applies it): it reads one raw column and
 * writes a new one (`as`), which the features then name. Stateless, so applying it twice gives the same column,
 * and the notebook and the edge apply it alike to raw values.
 */
export type Transform =
	| { op: 'clip'; column: string; as: string; min: number | null; max: number | null }
	| { op: 'log1p'; column: string; as: string }
	| { op: 'datepart'; column: string; as: string; part: DatePart }
	| { op: 'bucket'; column: string; as: string; edges: number[] };

export interface Preprocessing {
	version: 1;
	/** Applied to the raw columns before the features are read; absent for models trained without any. */
	transforms?: Transform[];
	features: FeatureSpec[];
	target: TargetSpec;
	/** Width of the encoded input row. */
	width: number;
}

/**
 * A version's `signature.preprocessing` (`Preprocessing` above, fitted by src/lib/ml/preprocess.ts), checked where
 * the Worker reads it back from D1: the browser wrote it, so it is a trust boundary. `width` must match the features, or every
 * encoded row would be misaligned with the graph's input.
 */
const featureSchema = z.discriminatedUnion('kind', [
	z.object({
		name: z.string(),
		kind: z.literal('numeric'),
		mean: z.number(),
		std: z.number().refine((s) => s !== 0, 'std must not be 0'),
		impute: z.number()
	}),
	z.object({ name: z.string(), kind: z.literal('categorical'), categories: z.array(z.string()) })
]);

const targetSchema = z.discriminatedUnion('task', [
	z.object({ name: z.string(), task: z.literal('regression'), mean: z.number(), std: z.number() }),
	z.object({
		name: z.string(),
		task: z.enum(['binary', 'multiclass']),
		classes: z.array(z.string()).min(2)
	})
]);

const column = z.string().min(1).max(250);
export const transformSchema = z
	.discriminatedUnion('op', [
		z.strictObject({
			op: z.literal('clip'),
			column,
			as: column,
			min: z.number().nullable(),
			max: z.number().nullable()
		}),
		z.strictObject({ op: z.literal('log1p'), column, as: column }),
		z.strictObject({ op: z.literal('datepart'), column, as: column, part: z.enum(DATE_PARTS) }),
		z.strictObject({
			op: z.literal('bucket'),
			column,
			as: column,
			edges: z
				.array(z.number())
				.min(1)
				.max(100)
				.refine((e) => e.every((v, i) => i === 0 || v > e[i - 1]), 'edges must increase')
		})
	])
	.refine((t) => t.as !== t.column, {
		message: 'a transform writes a new column, not its source',
		path: ['as']
	})
	.refine((t) => t.op !== 'clip' || t.min === null || t.max === null || t.min <= t.max, {
		message: 'min must not exceed max',
		path: ['min']
	});

export const preprocessingSchema = z
	.object({
		version: z.literal(1),
		transforms: z.array(transformSchema).max(100).optional(),
		features: z.array(featureSchema).min(1),
		target: targetSchema,
		width: z.number().int().positive()
	})
	.refine(
		(p) =>
			p.width === p.features.reduce((w, f) => w + (f.kind === 'numeric' ? 1 : f.categories.length + 1), 0),
		{ message: 'width does not match the features', path: ['width'] }
	) satisfies z.ZodType<Preprocessing>;
