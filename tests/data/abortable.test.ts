import { describe, expect, it } from 'vitest';
import { waitUnlessAborted } from '$lib/data/abortable';

const never = new Promise<never>(() => undefined);

describe('waitUnlessAborted', () => {
	it('gives the outcome of work that ends first', async () => {
		expect(await waitUnlessAborted(Promise.resolve(3), new AbortController().signal)).toEqual({
			ok: true,
			value: 3
		});
		const e = new Error('bad');
		expect(await waitUnlessAborted(Promise.reject(e))).toEqual({ ok: false, error: e });
	});

	it('ends the wait on work that never ends when the signal aborts', async () => {
		const stop = new AbortController();
		const waited = waitUnlessAborted(never, stop.signal);
		stop.abort();
		expect(await waited).toBe('aborted');
	});

	it('an abort before the wait started wins even over settled work', async () => {
		const stop = new AbortController();
		stop.abort();
		expect(await waitUnlessAborted(Promise.resolve(1), stop.signal)).toBe('aborted');
	});

	it('stops listening once the work is over', async () => {
		const stop = new AbortController();
		let listening = 0;
		const signal = stop.signal;
		const add = signal.addEventListener.bind(signal);
		const remove = signal.removeEventListener.bind(signal);
		signal.addEventListener = ((...a: Parameters<typeof add>) => (listening++, add(...a))) as typeof add;
		signal.removeEventListener = ((...a: Parameters<typeof remove>) => (
			listening--,
			remove(...a)
		)) as typeof remove;
		await waitUnlessAborted(Promise.resolve(1), signal);
		await new Promise((r) => setTimeout(r, 0));
		expect(listening).toBe(0);
	});
});
