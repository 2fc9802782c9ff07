import { expect } from 'vitest';

/** Float32 weights from plain numbers. */
export const w = (...xs: number[]): Float32Array => Float32Array.from(xs);

/** Element-wise closeness, with the index in the failure message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 6): void {
	expect(actual.length).toBe(expected.length);
	for (let i = 0; i < expected.length; i++) expect(actual[i], `index ${i}`).toBeCloseTo(expected[i], digits);
}
