import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ilike, like, type StepCounter } from '../../../workers/mlflow/like';

/**
 * The LIKE matcher against a plain dynamic-programming reference (obviously right, quadratic), and its step
 * count against the stated bound 2·W·(|name| + |pattern| + 1), W = ceil(longest segment / 32): steps, not time.
 */
function reference(name: string[], pat: string[]): boolean {
	// ok[j]: pat[0, i) matches name[0, j).
	let ok = name.map(() => false).concat(false);
	ok[0] = true;
	for (const p of pat) {
		const next = ok.map(() => false);
		for (let j = 0; j <= name.length; j++)
			if (p === '%') next[j] = ok[j] || (j > 0 && next[j - 1]);
			else next[j] = j > 0 && ok[j - 1] && (p === '_' || p === name[j - 1]);
		ok = next;
	}
	return ok[name.length];
}

const bound = (name: string, pattern: string) => {
	const longest = Math.max(1, ...pattern.split('%').map((s) => Array.from(s).length));
	return 2 * Math.ceil(longest / 32) * (Array.from(name).length + Array.from(pattern).length + 1);
};

const chars = (alphabet: string[], max: number) =>
	fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((a) => a.join(''));

describe('like', () => {
	it('agrees with the reference on generated names and patterns', () => {
		fc.assert(
			fc.property(chars(['a', 'b', '😀'], 40), chars(['a', 'b', '%', '_', '😀'], 12), (name, pattern) => {
				expect(like(name, pattern)).toBe(reference(Array.from(name), Array.from(pattern)));
			}),
			{ numRuns: 2000 }
		);
	});

	it('holds its steps within the linear bound, however adversarial the pattern', () => {
		const names = fc.oneof(
			chars(['a', 'b'], 2000),
			fc.nat(5000).map((n) => 'a'.repeat(n))
		);
		const patterns = fc.oneof(
			chars(['a', 'b', '%', '_'], 50),
			fc.integer({ min: 1, max: 25 }).map((k) => '%a'.repeat(k)),
			fc.integer({ min: 1, max: 16 }).map((k) => '%' + 'a'.repeat(k) + 'b')
		);
		fc.assert(
			fc.property(names, patterns, (name, pattern) => {
				const n: StepCounter = { steps: 0 };
				like(name, pattern, n);
				expect(n.steps).toBeLessThanOrEqual(bound(name, pattern));
			}),
			{ numRuns: 500 }
		);
	});

	it('answers the pattern that stalled the regex matcher within the bound', () => {
		const name = 'a'.repeat(60);
		const n: StepCounter = { steps: 0 };
		expect(like(name, '%a'.repeat(6) + 'b', n)).toBe(false);
		expect(n.steps).toBeLessThanOrEqual(bound(name, '%a'.repeat(6) + 'b'));
		expect(like(name, '%a'.repeat(6))).toBe(true);
	});

	it('segments past one 32-bit word still match exactly', () => {
		const seg = 'ab_'.repeat(15); // 45 characters: two words
		expect(like(`xx${'abc'.repeat(15)}yy`, `%${seg}%`)).toBe(true);
		expect(like(`xx${'abc'.repeat(14)}yy`, `%${seg}%`)).toBe(false);
	});

	it('ILIKE folds ASCII case on both sides, as SQLite lower() does', () => {
		expect(ilike('Run-A', 'run-%')).toBe(true);
		expect(ilike('run-a', 'RUN-_')).toBe(true);
		expect(like('Run-A', 'run-%')).toBe(false);
	});
});
