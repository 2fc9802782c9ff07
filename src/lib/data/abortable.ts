/** How a piece of work ended, or that the caller stopped waiting for it. */
export type Waited<T> = { ok: true; value: T } | { ok: false; error: unknown } | 'aborted';

/**
 * Wait for `work`, but no longer than until `signal` aborts. The work itself is not stopped (the caller stops it,
 * the way it knows how); this only ends the wait, so a Cancel never waits behind work it asked to stop. An abort
 * that came first wins, even when the work has already settled.
 */
export function waitUnlessAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<Waited<T>> {
	if (signal?.aborted) return Promise.resolve('aborted');
	return new Promise((resolve) => {
		const onAbort = () => resolve('aborted');
		signal?.addEventListener('abort', onAbort, { once: true });
		work.then(
			(value) => resolve({ ok: true, value }),
			(error: unknown) => resolve({ ok: false, error })
		);
		// Never left listening on a long-lived signal once the work is over.
		const stop = () => signal?.removeEventListener('abort', onAbort);
		work.then(stop, stop);
	});
}
