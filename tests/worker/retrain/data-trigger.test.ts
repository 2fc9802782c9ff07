import { describe, expect, it } from 'vitest';
import type { DataChangedResult, Lineage, RetrainTask } from '../../../src/lib/contract';
import type { ErrorJson } from '../helpers';
import { gemmModel } from '../inference/onnx-builder';
import { upload } from '../inference/fixtures';
import { api, ok } from '../v1/fixtures';

/**
 * The "new data" trigger: a notebook reports its datasets' fingerprints; a champion trained there on other bytes of
 * a dataset gets one retraining task per new bytes, named by the dataset, and nothing else does.
 */

const sha = (c: string) => c.repeat(64);
const ONNX = gemmModel({ weights: [[2], [0]], bias: [0], head: 'sigmoid' });

function lineage(sources: { name: string; sha256: string }[]): Lineage {
	return {
		dataFingerprint: { query: 'SELECT * FROM penguins', sources, rowCount: 10, schema: [] },
		configHash: 'c',
		seed: 1,
		environment: { backend: 'cpu', backendReason: 'test', adapter: null, userAgent: 'test', libraries: {} }
	};
}

let runs = 0;
/** A model whose champion's run was trained in `notebookId` on `sources`. */
async function champion(model: string, notebookId: string, sources: { name: string; sha256: string }[]) {
	const exp = await api('/api/v1/experiments', { method: 'POST', json: { name: 'dt-source' } });
	const expId =
		exp.status === 201
			? ((await exp.json()) as { id: string }).id
			: (await ok<{ experiments: { id: string; name: string }[] }>('/api/v1/experiments')).experiments.find(
					(e) => e.name === 'dt-source'
				)!.id;
	const runId = `dt_run_${++runs}`;
	await ok('/api/v1/runs', {
		method: 'POST',
		json: {
			id: runId,
			experimentId: expId,
			name: 'train',
			notebookId,
			cellId: 'c_train',
			lineage: lineage(sources)
		},
		status: 201
	});
	const m = await api('/api/v1/models', { method: 'POST', json: { name: model } });
	expect([201, 409]).toContain(m.status);
	const v = await ok<{ version: number }>(`/api/v1/models/${model}/versions`, {
		method: 'POST',
		json: { sourceRunId: runId, artifactSha256: await upload(ONNX) },
		status: 201
	});
	await ok(`/api/v1/models/${model}/aliases/champion`, { method: 'PUT', json: { version: v.version } });
	return v.version;
}

const report = (notebookId: string, datasets: { name: string; sha256: string }[]) =>
	api('/api/v1/retrain/data', { method: 'POST', json: { notebookId, datasets } });
const changed = async (notebookId: string, datasets: { name: string; sha256: string }[]) => {
	const res = await report(notebookId, datasets);
	const text = await res.text();
	expect(res.status, text).toBe(200);
	return (JSON.parse(text) as DataChangedResult).changed;
};

describe('new data opens a retraining task', () => {
	it('other bytes of a training dataset open one task, named; the same bytes again open none', async () => {
		await champion('dt-penguins', 'nb_data', [
			{ name: 'penguins', sha256: sha('a') },
			{ name: 'islands', sha256: sha('b') }
		]);
		// The data as trained: nothing changed; an unrelated table and a dataset the browser lacks are no change.
		expect(
			await changed('nb_data', [
				{ name: 'penguins', sha256: sha('a') },
				{ name: 'other', sha256: sha('9') }
			])
		).toEqual([]);
		const [c] = await changed('nb_data', [
			{ name: 'Penguins', sha256: sha('c') },
			{ name: 'islands', sha256: sha('b') }
		]);
		expect(c).toMatchObject({
			model: 'dt-penguins',
			championVersion: 1,
			outcome: 'opened',
			datasets: [{ name: 'penguins', trainedOn: sha('a'), now: sha('c') }],
			task: {
				trigger: 'data',
				state: 'pending',
				notebookId: 'nb_data',
				cellId: 'c_train',
				championVersion: 1
			}
		});
		expect(c.task.reason).toBe(
			'dataset penguins has new bytes (cccccccccccc…; v1 was trained on aaaaaaaaaaaa…)'
		);
		expect(c.task.triggerRef).toMatch(/^data:[0-9a-f]{64}$/);
		// Each time the notebook opens it reports again: the same task, not a new one, even once it is closed.
		const [again] = await changed('nb_data', [{ name: 'penguins', sha256: sha('c') }]);
		expect(again).toMatchObject({ outcome: 'seen', task: { id: c.task.id } });
		await ok(`/api/v1/retrain/${c.task.id}/cancel`, { method: 'POST', json: { reason: 'not now' } });
		const [closed] = await changed('nb_data', [{ name: 'penguins', sha256: sha('c') }]);
		expect(closed).toMatchObject({ outcome: 'seen', task: { id: c.task.id, state: 'failed' } });
		expect((await ok<{ tasks: RetrainTask[] }>('/api/v1/models/dt-penguins/retrain')).tasks).toHaveLength(1);
		// Newer bytes again: a new task.
		const [newer] = await changed('nb_data', [{ name: 'penguins', sha256: sha('d') }]);
		expect(newer.outcome).toBe('opened');
		expect(newer.task.id).not.toBe(c.task.id);
	}, 30_000);

	it('joins a task already open for the model; another notebook’s champions are not touched', async () => {
		await champion('dt-joined', 'nb_joined', [{ name: 'sales', sha256: sha('1') }]);
		await champion('dt-elsewhere', 'nb_other', [{ name: 'sales', sha256: sha('1') }]);
		const opened = await ok<{ task: RetrainTask }>('/api/v1/models/dt-joined/retrain', {
			method: 'POST',
			json: { reason: 'by hand' },
			status: 201
		});
		const [c] = await changed('nb_joined', [{ name: 'sales', sha256: sha('2') }]);
		expect(c).toMatchObject({
			model: 'dt-joined',
			outcome: 'joined',
			task: { id: opened.task.id, trigger: 'manual' }
		});
		expect((await ok<{ tasks: RetrainTask[] }>('/api/v1/models/dt-elsewhere/retrain')).tasks).toEqual([]);
	});

	it.each([
		['no notebook', { datasets: [] }, /notebookId/],
		[
			'a sha-256 that is not hex',
			{ notebookId: 'nb', datasets: [{ name: 'a', sha256: 'xyz' }] },
			/64 lowercase hex/
		],
		[
			'a dataset named twice',
			{
				notebookId: 'nb',
				datasets: [
					{ name: 'a', sha256: sha('a') },
					{ name: 'A', sha256: sha('b') }
				]
			},
			/each dataset name is given once/
		],
		['datasets that are not a list', { notebookId: 'nb', datasets: { a: sha('a') } }, /datasets/],
		['an unknown field', { notebookId: 'nb', datasets: [], force: true }, /force/]
	])('refuses %s by name, opening nothing', async (_what, body, message) => {
		const res = await api('/api/v1/retrain/data', { method: 'POST', json: body });
		const err = (await res.json()) as ErrorJson;
		expect(res.status, JSON.stringify(err)).toBe(400);
		expect(err.error.message).toMatch(message);
	});
});
