import type { ChartSpec, Notebook } from './schema';

/** A chart spec names everything its mark needs: a source, x, and y unless it counts rows. */
export function chartReady(spec: ChartSpec): boolean {
	return Boolean(spec.source && spec.x && (spec.y || spec.mark === 'histogram'));
}

/**
 * Chart cells whose picture must be drawn again when the notebook opens: the document keeps a chart's spec,
 * not its data, so after a reload each ready chart runs again through the scheduler (which first re-runs any
 * cell result it reads; datasets re-attach from IndexedDB).
 */
export function chartsToDraw(doc: Notebook): string[] {
	return doc.cells.filter((c) => c.kind === 'chart' && chartReady(c.spec)).map((c) => c.id);
}
