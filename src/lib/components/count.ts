/**
 * "1 row", "2 rows", "1,461 rows": every count the UI shows goes through here, so no label reads "1 rows".
 * `plural` is for words that do not just take an "s".
 */
export function count(n: number, singular: string, plural = `${singular}s`): string {
	return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}
