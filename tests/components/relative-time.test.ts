import { expect, it } from 'vitest';
import { relativeTime } from '$lib/components/relative-time';

it.each([
	{ ago: 10_000, text: 'just now' },
	{ ago: 5 * 60_000, text: '5 minutes ago' },
	{ ago: 3 * 3_600_000, text: '3 hours ago' },
	{ ago: 86_400_000, text: 'yesterday' }
])('$ago ms ago reads "$text"', ({ ago, text }) => {
	const now = 1_800_000_000_000;
	expect(relativeTime(now - ago, now)).toBe(text);
});
