/** Browsers cap an element's height (~33M px in Chromium): past this the scroll position is scaled. */
export const MAX_SCROLL_PX = 8_000_000;

/**
 * Which rows a virtual grid shows for a scroll position. Pure, so the scaling for very long results
 * (3M rows × 26 px is past the browser's limit) is unit-tested rather than eyeballed.
 */
export function gridWindow(opts: {
	rowCount: number;
	rowHeight: number;
	viewportRows: number;
	scrollTop: number;
}): { start: number; end: number; totalPx: number } {
	const { rowCount, rowHeight, viewportRows } = opts;
	const natural = rowCount * rowHeight;
	const totalPx = Math.min(natural, MAX_SCROLL_PX);
	const maxScroll = Math.max(totalPx - viewportRows * rowHeight, 0);
	const maxStart = Math.max(rowCount - viewportRows, 0);
	const scrollTop = Math.min(Math.max(opts.scrollTop, 0), maxScroll);
	const start =
		natural <= MAX_SCROLL_PX
			? Math.floor(scrollTop / rowHeight)
			: Math.round(maxScroll === 0 ? 0 : (scrollTop / maxScroll) * maxStart);
	const clamped = Math.min(start, maxStart);
	return { start: clamped, end: Math.min(clamped + viewportRows, rowCount), totalPx };
}
