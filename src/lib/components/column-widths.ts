/** Widths of the result grid's columns: a default per type, and the bounds a drag can reach. */

export const MIN_COLUMN_PX = 48;
export const MAX_COLUMN_PX = 1200;

/** Wide enough that a timestamp with milliseconds ("2024-01-05 10:30:00.123") is read whole, not cut. */
export function defaultWidth(type: string): number {
	const t = type.toUpperCase();
	if (t.startsWith('TIMESTAMP')) return 200;
	return 150;
}

export function clampWidth(px: number): number {
	return Math.round(Math.min(Math.max(px, MIN_COLUMN_PX), MAX_COLUMN_PX));
}
