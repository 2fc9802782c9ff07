import { caught, clearDb, newRun } from './helpers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	finishRun,
	getRun,
	heartbeat,
	markInterruptedRuns,
	type EndStatus,
	type RunStatus
} from '$lib/tracking/runs';

beforeEach(async () => {
	await clearDb();
	// Only Date: fake-indexeddb schedules its work with real timers.
	vi.useFakeTimers({ toFake: ['Date'] });
	vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

describe('runs left running by a closed tab are marked interrupted', () => {
	// [what, status, last heartbeat ms ago, expected to be marked]
	const cases: [string, RunStatus, number, boolean][] = [
		['a running run with a stale heartbeat', 'running', 120_000, true],
		['a running run just past the limit', 'running', 60_001, true],
		['a running run exactly at the limit', 'running', 60_000, false],
		['a running run with a fresh heartbeat', 'running', 5_000, false],
		['a finished run with an old heartbeat', 'finished', 500_000, false]
	];
	it.each(cases)('%s', async (_, status, ago, marked) => {
		const run = await newRun();
		if (status !== 'running') await finishRun(run.id, status as EndStatus);
		vi.setSystemTime(1_000_000 + ago);
		const ids = await markInterruptedRuns({ staleAfterMs: 60_000 });
		expect(ids).toEqual(marked ? [run.id] : []);
		const after = await getRun(run.id);
		expect(after?.status).toBe(marked ? 'interrupted' : status);
		if (marked) expect(after?.endedAt).toBe(1_000_000); // the last sign of life
	});

	it('a heartbeat keeps a run from being marked', async () => {
		const run = await newRun();
		vi.setSystemTime(1_050_000);
		await heartbeat(run.id);
		vi.setSystemTime(1_100_000);
		expect(await markInterruptedRuns({ staleAfterMs: 60_000 })).toEqual([]);
	});

	it('a heartbeat from a tab that was only throttled brings the run back to running', async () => {
		const run = await newRun();
		vi.setSystemTime(2_000_000);
		await markInterruptedRuns({ staleAfterMs: 60_000 });
		await heartbeat(run.id);
		const after = await getRun(run.id);
		expect(after).toMatchObject({ status: 'running', endedAt: null, heartbeatAt: 2_000_000 });
	});

	it('a heartbeat after the run ended changes nothing', async () => {
		const run = await newRun();
		await finishRun(run.id, 'finished');
		vi.setSystemTime(1_500_000);
		await heartbeat(run.id);
		expect((await getRun(run.id))?.status).toBe('finished');
	});

	it('an interrupted run can still be finished; an ended one cannot change its end', async () => {
		const run = await newRun();
		vi.setSystemTime(2_000_000);
		await markInterruptedRuns({ staleAfterMs: 60_000 });
		await finishRun(run.id, 'failed');
		await finishRun(run.id, 'failed'); // the same end again is a no-op
		expect((await getRun(run.id))?.status).toBe('failed');
		expect((await caught(() => finishRun(run.id, 'finished'))).name).toBe('RunEnded');
	});
});
