import { z } from 'zod';

/** How one feature becomes model inputs; fit on the training split only and saved with the model. */
export type FeatureSpec =
	| { name: string; kind: 'numeric'; mean: number; std: number; impute: number }
	/** One-hot over `categories` plus one last slot for values not seen in training (and missing ones). */
	| { name: string; kind: 'categorical'; categories: string[] };

export type TargetSpec =
	| { name: string; task: 'regression'; mean: number; std: number }
	| { name: string; task: 'binary' | 'multiclass'; classes: string[] };

export interface Preprocessing {
	version: 1;
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

export const preprocessingSchema = z
	.object({
		version: z.literal(1),
		features: z.array(featureSchema).min(1),
		target: targetSchema,
		width: z.number().int().positive()
	})
	.refine(
		(p) =>
			p.width === p.features.reduce((w, f) => w + (f.kind === 'numeric' ? 1 : f.categories.length + 1), 0),
		{ message: 'width does not match the features', path: ['width'] }
	) satisfies z.ZodType<Preprocessing>;
