import { z } from 'zod';
import { LIMITS } from './limits';

/**
 * How deeply a JSON value nests (a scalar is 0, `{}` and `[]` are 1). Iterative: a value deep enough to matter
 * would overflow the stack of a recursive walk, which is the failure this guards against.
 */
export function jsonDepth(value: unknown): number {
	let max = 0;
	const stack: [unknown, number][] = [[value, 0]];
	while (stack.length) {
		const [v, d] = stack.pop()!;
		if (v === null || typeof v !== 'object') continue;
		max = Math.max(max, d + 1);
		for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
	}
	return max;
}

/** A model version's signature: any JSON object, but no deeper than LIMITS.signatureDepth, since it is stored. */
export const signatureSchema = z
	.record(z.string(), z.unknown())
	.refine(
		(v) => jsonDepth(v) <= LIMITS.signatureDepth,
		`A signature may nest at most ${LIMITS.signatureDepth} levels deep.`
	);
