import { caught, clearDb, newRun } from './helpers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DBCoreMutateRequest } from 'dexie';
import { db } from '$lib/tracking/db';
import {
	artifactsOf,
	finishRunWithArtifacts,
	getRun,
	logMetrics,
	metricHistory,
	saveArtifacts,
	type ArtifactInput
} from '$lib/tracking/runs';

/**
 * A fake that throws mid-transaction: a DBCore middleware that fails one chosen write with the browser's
 * QuotaExceededError after the writes before it have gone through in the same transaction.
 */
let failOn: { table: string; type: DBCoreMutateRequest['type'] } | null = null;

beforeAll(() => {
	db().use({
		stack: 'dbcore',
		name: 'fail-one-write',
		create: (down) => ({
			...down,
			table: (name) => {
				const table = down.table(name);
				return {
					...table,
					mutate: (req) =>
						failOn && failOn.table === name && failOn.type === req.type
							? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
							: table.mutate(req)
				};
			}
		})
	});
});
beforeEach(async () => {
	failOn = null;
	await clearDb();
});

const files: ArtifactInput[] = [
	{ name: 'model.json', mediaType: 'application/json', data: '{"layers":[]}' },
	{ name: 'weights.bin', mediaType: 'application/octet-stream', data: new Float32Array(300_000) },
	{ name: 'evaluation.json', mediaType: 'application/json', data: new Blob(['{"accuracy":0.9}']) }
];

describe('finishing a run with its files is atomic', () => {
	it('stores the files, the final summary and the status together', async () => {
		const run = await newRun();
		await logMetrics(run.id, [{ key: 'val_loss', value: 0.4, step: 9 }]);
		const done = await finishRunWithArtifacts(run.id, {
			status: 'finished',
			artifacts: files,
			summary: { test_accuracy: 0.93, val_loss: 0.35 }
		});
		const stored = await getRun(run.id);
		expect(stored).toEqual(done);
		expect(stored?.status).toBe('finished');
		expect(stored?.summary).toEqual({ val_loss: 0.35, test_accuracy: 0.93 });
		// The final value lands at the key's latest step, so history and summary agree.
		expect((await metricHistory(run.id, 'val_loss')).map((p) => [p.step, p.value])).toEqual([
			[9, 0.4],
			[9, 0.35]
		]);
		const arts = await artifactsOf(run.id);
		expect(arts.map((a) => [a.name, a.bytes])).toEqual([
			['evaluation.json', 16],
			['model.json', 13],
			['weights.bin', 1_200_000]
		]);
		expect(arts.every((a) => /^[0-9a-f]{64}$/.test(a.sha256))).toBe(true);
	});

	// Each write of the transaction fails once; whichever it is, nothing of the finish is kept.
	const failures: [string, { table: string; type: DBCoreMutateRequest['type'] }][] = [
		['writing the files', { table: 'artifacts', type: 'add' }],
		['appending the final metrics', { table: 'metrics', type: 'add' }],
		['updating the run (after files and metrics)', { table: 'runs', type: 'put' }]
	];
	it.each(failures)('a quota failure while %s persists nothing', async (_, where) => {
		const run = await newRun();
		await logMetrics(run.id, [{ key: 'val_loss', value: 0.4, step: 9 }]);
		failOn = where;
		const err = await caught(() =>
			finishRunWithArtifacts(run.id, {
				status: 'finished',
				artifacts: files,
				summary: { test_accuracy: 0.9 }
			})
		);
		failOn = null;
		expect(err.name).toBe('StorageFull');
		expect(err.message).toMatch(/needs about 1\.1 MB/);
		expect(err.message).toMatch(/delet(e|ing) runs or datasets/);
		const after = await getRun(run.id);
		expect(after?.status).toBe('running');
		expect(after?.endedAt).toBeNull();
		expect(after?.summary).toEqual({ val_loss: 0.4 });
		expect(await artifactsOf(run.id)).toEqual([]);
		expect(await db().artifacts.count()).toBe(0);
		expect(await db().metrics.count()).toBe(1);
	});

	it('saveArtifacts is all-or-nothing too, and a failed save keeps the files saved before', async () => {
		const run = await newRun();
		await saveArtifacts(run.id, [files[0]]);
		failOn = { table: 'artifacts', type: 'add' };
		const err = await caught(() => saveArtifacts(run.id, files));
		failOn = null;
		expect(err.name).toBe('StorageFull');
		expect((await artifactsOf(run.id)).map((a) => a.name)).toEqual(['model.json']);
	});

	it('saving a name again replaces that file', async () => {
		const run = await newRun();
		await saveArtifacts(run.id, [files[0]]);
		await saveArtifacts(run.id, [{ ...files[0], data: '{"layers":[1]}' }]);
		const arts = await artifactsOf(run.id);
		expect(arts).toHaveLength(1);
		expect(await arts[0].blob.text()).toBe('{"layers":[1]}');
	});

	const refused: [string, () => Promise<unknown>, string][] = [
		[
			'a non-finite final value',
			async () =>
				finishRunWithArtifacts((await newRun()).id, {
					status: 'finished',
					artifacts: [],
					summary: { acc: NaN }
				}),
			'InvalidMetric'
		],
		[
			'a file name with ".."',
			async () =>
				finishRunWithArtifacts((await newRun()).id, {
					status: 'finished',
					artifacts: [{ ...files[0], name: '../model.json' }]
				}),
			'InvalidKey'
		],
		[
			'finishing a run twice',
			async () => {
				const run = await newRun();
				await finishRunWithArtifacts(run.id, { status: 'finished', artifacts: [] });
				await finishRunWithArtifacts(run.id, { status: 'finished', artifacts: files });
			},
			'RunEnded'
		]
	];
	it.each(refused)('refuses %s', async (_, block, name) => {
		expect((await caught(block)).name).toBe(name);
	});
});
