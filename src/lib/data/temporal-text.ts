import { TimeUnit } from 'apache-arrow';

/**
 * Dates and times as the grid shows them: ISO-like text in UTC, as DuckDB prints them, never epoch numbers.
 * Arrow hands timestamps over as (possibly fractional) epoch milliseconds and TIME as an integer count of its
 * unit, often a BigInt; values outside JavaScript's date range (DuckDB's 'infinity') must not throw.
 */

/** JavaScript dates reach ±8.64e15 ms; DuckDB's infinities arrive past that. */
const MAX_MS = 8.64e15;

export function timestampText(ms: number, timezone?: string | null): string {
	if (!Number.isFinite(ms) || Math.abs(ms) > MAX_MS) return ms > 0 ? 'infinity' : '-infinity';
	const iso = new Date(Math.floor(ms)).toISOString();
	const text = iso.replace('T', ' ').replace(/\.000Z$|Z$/, '');
	// A zoned timestamp is an instant: it is shown in UTC and says so, as DuckDB does.
	return timezone ? `${text}+00` : text;
}

export function dateText(ms: number): string {
	if (!Number.isFinite(ms) || Math.abs(ms) > MAX_MS) return ms > 0 ? 'infinity' : '-infinity';
	return new Date(ms).toISOString().slice(0, 10);
}

const PER_SECOND: Record<number, bigint> = {
	[TimeUnit.SECOND]: 1n,
	[TimeUnit.MILLISECOND]: 1_000n,
	[TimeUnit.MICROSECOND]: 1_000_000n,
	[TimeUnit.NANOSECOND]: 1_000_000_000n
};

/** A time of day, "HH:MM:SS" with the fraction of a second only when there is one. */
export function timeText(value: number | bigint, unit: TimeUnit): string {
	const per = PER_SECOND[unit] ?? 1n;
	const n = BigInt(value);
	const seconds = n / per;
	const fraction = n % per;
	const two = (x: bigint) => String(x).padStart(2, '0');
	let text = `${two(seconds / 3600n)}:${two((seconds / 60n) % 60n)}:${two(seconds % 60n)}`;
	if (fraction > 0n) {
		const digits = String(per).length - 1;
		text += `.${String(fraction).padStart(digits, '0').replace(/0+$/, '')}`;
	}
	return text;
}
