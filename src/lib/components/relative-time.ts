const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
	['day', 86_400_000],
	['hour', 3_600_000],
	['minute', 60_000]
];

/** "3 minutes ago": enough precision for a list sorted by last change. */
export function relativeTime(ms: number, now = Date.now()): string {
	const diff = ms - now;
	const fmt = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
	for (const [unit, size] of UNITS)
		if (Math.abs(diff) >= size) return fmt.format(Math.round(diff / size), unit);
	return 'just now';
}
