import { freshDb, pending } from './fake-registry';
import { describe, expect, it } from 'vitest';
import { experimentIdForName } from '$lib/contract';
import {
	deleteRun,
	finishRun,
	getOrCreateExperiment,
	logMetrics,
	logParams,
	restoreRun,
	saveArtifacts,
	setNote,
	setTags
} from '$lib/tracking/runs';
import { caught, newRun } from '../tracking/helpers';

const types = async () => (await pending(freshDbCurrent!)).map((e) => e.mutation.type);
let freshDbCurrent: ReturnType<typeof freshDb> | null = null;
const start = () => (freshDbCurrent = freshDb());

describe('every tracking write records its mutations in the same transaction', () => {
	it('experiment ids derive from names, and the create is queued', async () => {
		start();
		const exp = await getOrCreateExperiment('penguins');
		expect(exp.id).toBe(experimentIdForName('penguins'));
		expect(await types()).toEqual(['experiment.create']);
	});

	it('a run, its params, tags, metrics, note, end, files, delete and restore, in order', async () => {
		start();
		const run = await newRun();
		await logParams(run.id, { epochs: 10 });
		await setTags(run.id, { stage: 'a', gone: null });
		await logMetrics(run.id, [{ key: 'loss', value: 1, step: 0 }]);
		await setNote(run.id, 'hello');
		await saveArtifacts(run.id, [
			{ name: 'weights.bin', mediaType: 'application/octet-stream', data: 'abc' }
		]);
		await finishRun(run.id, 'finished');
		await deleteRun(run.id);
		await restoreRun(run.id);
		expect(await types()).toEqual([
			'experiment.create',
			'run.create',
			'run.log',
			'run.log',
			'run.log',
			'run.update',
			'artifact.link',
			'run.update',
			'run.delete',
			'run.restore'
		]);
		const entries = await pending(freshDbCurrent!);
		const create = entries[1].mutation;
		expect(create.type === 'run.create' && create.run.params).toEqual([
			{ key: 'learningRate', value: '0.01' },
			{ key: 'optimizer', value: 'adam' }
		]);
		expect(entries[6].blobSha256).toMatch(/^[0-9a-f]{64}$/);
		// Sequence numbers follow commit order with no gaps.
		expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => entries[0].seq! + i));
	});

	it.each([
		['a param changed (immutable)', (id: string) => logParams(id, { learningRate: 0.5 })],
		['a NaN metric', (id: string) => logMetrics(id, [{ key: 'loss', value: NaN, step: 1 }])],
		[
			'finishing twice with another status',
			async (id: string) => {
				await finishRun(id, 'finished');
				await finishRun(id, 'failed');
			}
		]
	])('a write that fails records nothing: %s', async (_, write) => {
		const d = start();
		const run = await newRun();
		const before = await d.outbox.count();
		await caught(() => write(run.id));
		const extra = (await pending(d)).slice(before).map((e) => e.mutation.type);
		expect(extra.filter((t) => t !== 'run.update')).toEqual([]);
		expect(extra.length).toBeLessThanOrEqual(1); // only the first, successful finish
	});

	it('a failing transaction rolls the entry back with the write', async () => {
		const d = start();
		const run = await newRun();
		const before = await d.outbox.count();
		// The runs table refuses the update (a key that cannot be stored) after the outbox entry was added.
		const err = await caught(() =>
			d.transaction('rw', d.runs, d.outbox, async () => {
				await d.outbox.add({
					id: 'x',
					at: 1,
					mutation: { type: 'run.restore', runId: run.id },
					state: 'pending'
				});
				throw new Error('boom');
			})
		);
		expect(err.message).toBe('boom');
		expect(await d.outbox.count()).toBe(before);
	});

	it('big logs are split to MLflow limits: 2500 metrics → 3 run.log mutations', async () => {
		const d = start();
		const run = await newRun();
		await logMetrics(
			run.id,
			Array.from({ length: 2500 }, (_, i) => ({ key: 'loss', value: i, step: i, timestamp: 5 }))
		);
		const logs = (await pending(d)).filter((e) => e.mutation.type === 'run.log');
		expect(logs.map((e) => (e.mutation.type === 'run.log' ? e.mutation.metrics.length : 0))).toEqual([
			1000, 1000, 500
		]);
	});
});
