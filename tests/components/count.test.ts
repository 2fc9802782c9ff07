import { expect, it } from 'vitest';
import { count } from '$lib/components/count';

it.each([
	{ n: 0, text: '0 rows' },
	{ n: 1, text: '1 row' },
	{ n: 2, text: '2 rows' },
	{ n: 1461, text: '1,461 rows' },
	{ n: 3_000_000, text: '3,000,000 rows' }
])('$n reads "$text"', ({ n, text }) => {
	expect(count(n, 'row')).toBe(text);
});

it('takes an irregular plural', () => {
	expect(count(1, 'query', 'queries')).toBe('1 query');
	expect(count(3, 'query', 'queries')).toBe('3 queries');
});
