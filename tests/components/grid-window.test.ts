import { describe, expect, it } from 'vitest';
import { gridWindow, MAX_SCROLL_PX } from '$lib/components/grid-window';

describe('gridWindow', () => {
	const cases = [
		{ what: 'top of a short result', rowCount: 5, scrollTop: 0, start: 0, end: 5 },
		{ what: 'middle of a natural-height result', rowCount: 1000, scrollTop: 26 * 100, start: 100, end: 114 },
		{ what: 'scrolled past the end is clamped', rowCount: 1000, scrollTop: 1e9, start: 986, end: 1000 },
		{ what: 'negative scroll is clamped', rowCount: 1000, scrollTop: -50, start: 0, end: 14 },
		{ what: 'empty result', rowCount: 0, scrollTop: 0, start: 0, end: 0 }
	];
	it.each(cases)('$what', ({ rowCount, scrollTop, start, end }) => {
		expect(gridWindow({ rowCount, rowHeight: 26, viewportRows: 14, scrollTop })).toMatchObject({
			start,
			end
		});
	});

	it('scales 3M rows into the browser height limit and still reaches the last row', () => {
		const rows = 3_000_000;
		const top = gridWindow({ rowCount: rows, rowHeight: 26, viewportRows: 14, scrollTop: 0 });
		expect(top.totalPx).toBe(MAX_SCROLL_PX);
		const bottom = gridWindow({ rowCount: rows, rowHeight: 26, viewportRows: 14, scrollTop: MAX_SCROLL_PX });
		expect(bottom.end).toBe(rows);
		expect(bottom.start).toBe(rows - 14);
		const half = gridWindow({
			rowCount: rows,
			rowHeight: 26,
			viewportRows: 14,
			scrollTop: (MAX_SCROLL_PX - 14 * 26) / 2
		});
		expect(Math.abs(half.start - (rows - 14) / 2)).toBeLessThan(2);
	});
});
