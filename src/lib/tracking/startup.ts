import { markInterruptedRuns } from './runs';
import { liveRunIds } from './run-lock';

let check: Promise<string[]> | null = null;

/**
 * Once per tab: runs still 'running' that no tab holds a lock for (or, without Web Locks, with no heartbeat for
 * minutes) belonged to a tab that closed mid-run, and become 'interrupted'. Pages that list runs await this.
 */
export function interruptedRunsChecked(): Promise<string[]> {
	check ??= (async () => {
		const live = await liveRunIds();
		return markInterruptedRuns({
			staleAfterMs: 3 * 60_000,
			isAlive: live ? (id) => live.has(id) : undefined
		});
	})().catch(() => []);
	return check;
}
