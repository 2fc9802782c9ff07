import { caught, clearDb, newRun } from './helpers';
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '$lib/tracking/db';
import { getRun, listRuns, logMetrics } from '$lib/tracking/runs';
import type { Run } from '$lib/tracking/run-schema';

beforeEach(clearDb);

describe('a damaged run record is reported, never handed to the UI', () => {
	const damage: [string, Partial<Record<keyof Run, unknown>>][] = [
		['an unknown status', { status: 'paused' }],
		['params that are not text', { params: { lr: 0.1 } }],
		['a summary with text', { summary: { loss: 'low' } }],
		['no lineage', { lineage: undefined }]
	];
	it.each(damage)('%s: getRun names it, listRuns leaves it out, writes refuse it', async (_, patch) => {
		const good = await newRun({ name: 'good' });
		const bad = await newRun({ name: 'bad' });
		await db().runs.put({ ...(await db().runs.get(bad.id))!, ...patch } as Run);
		const err = await caught(() => getRun(bad.id));
		expect(err.name).toBe('RunDamaged');
		expect(err.message).toContain(bad.id);
		expect((await listRuns()).map((r) => r.id)).toEqual([good.id]);
		expect((await caught(() => logMetrics(bad.id, [{ key: 'x', value: 1, step: 0 }]))).name).toBe(
			'RunDamaged'
		);
	});

	it('fields added after a record was written get their defaults', async () => {
		const run = await newRun();
		const raw = { ...(await db().runs.get(run.id))! } as Partial<Run>;
		delete raw.summaryAt;
		delete raw.note;
		await db().runs.put(raw as Run);
		expect(await getRun(run.id)).toMatchObject({ summaryAt: {}, note: '' });
	});
});
