import { describe, expect, it } from 'vitest';
import { DEFAULT_CANCEL_GRACE_MS, parseGraceMs } from '$lib/data/cancel-grace';

describe('the cancel grace period', () => {
	it('is the default when nothing usable is stored', () => {
		for (const raw of [null, undefined, '', '  ', 'soon', 'NaN', 'Infinity'])
			expect(parseGraceMs(raw)).toBe(DEFAULT_CANCEL_GRACE_MS);
	});

	it('takes a stored number of milliseconds, clamped so a cancel stays bounded and never instant', () => {
		expect(parseGraceMs('500')).toBe(500);
		expect(parseGraceMs(' 1234.6 ')).toBe(1235);
		expect(parseGraceMs('0')).toBe(50);
		expect(parseGraceMs('-5')).toBe(50);
		expect(parseGraceMs('3600000')).toBe(60_000);
	});
});
