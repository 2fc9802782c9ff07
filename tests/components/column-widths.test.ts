import { expect, it } from 'vitest';
import { clampWidth, defaultWidth, MAX_COLUMN_PX, MIN_COLUMN_PX } from '$lib/components/column-widths';

it('gives timestamps room for their full text', () => {
	expect(defaultWidth('TIMESTAMP')).toBeGreaterThan(defaultWidth('VARCHAR'));
	expect(defaultWidth('TIMESTAMP WITH TIME ZONE')).toBe(defaultWidth('TIMESTAMP'));
});

it('keeps a dragged width between its bounds, in whole pixels', () => {
	expect(clampWidth(-40)).toBe(MIN_COLUMN_PX);
	expect(clampWidth(10_000)).toBe(MAX_COLUMN_PX);
	expect(clampWidth(180.4)).toBe(180);
});
