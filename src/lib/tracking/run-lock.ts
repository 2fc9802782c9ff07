/**
 * A tab holds a Web Lock for each run it is training. Locks die with their tab, so on the next load a run that
 * is still 'running' with no lock held was cut off (tab closed, crash) and is marked interrupted at once.
 */
export function runLockName(runId: string): string {
	return `edgebook-run-${runId}`;
}

export async function holdRunLock<T>(runId: string, fn: () => Promise<T>): Promise<T> {
	if (typeof navigator === 'undefined' || !navigator.locks) return fn();
	return navigator.locks.request(runLockName(runId), fn);
}

/** The runs some tab is training now, or null where Web Locks are missing (then heartbeats decide). */
export async function liveRunIds(): Promise<Set<string> | null> {
	if (typeof navigator === 'undefined' || !navigator.locks) return null;
	const { held = [] } = await navigator.locks.query();
	const prefix = runLockName('');
	return new Set(held.flatMap((l) => (l.name?.startsWith(prefix) ? [l.name.slice(prefix.length)] : [])));
}
