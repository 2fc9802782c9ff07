/**
 * How long Cancel waits for DuckDB to take its interrupt before the engine's worker is terminated and a fresh
 * one started (docs/architecture.md, "Cancel"). Some statements (a nested-loop join whose condition rejects
 * nearly every pair) never hand control back between DuckDB's polling slices, so an interrupt alone can wait
 * for minutes. Set per browser with `localStorage['edgebook.cancelGraceMs']`; tests use a short one.
 */
export const DEFAULT_CANCEL_GRACE_MS = 3000;
export const CANCEL_GRACE_KEY = 'edgebook.cancelGraceMs';
const MIN_MS = 50;
const MAX_MS = 60_000;

/** A stored grace period, clamped to what makes sense; anything unreadable means the default. */
export function parseGraceMs(raw: string | null | undefined): number {
	if (raw == null || raw.trim() === '') return DEFAULT_CANCEL_GRACE_MS;
	const n = Number(raw);
	if (!Number.isFinite(n)) return DEFAULT_CANCEL_GRACE_MS;
	return Math.min(Math.max(Math.round(n), MIN_MS), MAX_MS);
}

export function cancelGraceMs(): number {
	try {
		return parseGraceMs(globalThis.localStorage?.getItem(CANCEL_GRACE_KEY));
	} catch {
		// Storage can be refused (privacy settings): the default still bounds a cancel.
		return DEFAULT_CANCEL_GRACE_MS;
	}
}
