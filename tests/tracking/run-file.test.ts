import { clearDb, newRun } from './helpers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { db } from '$lib/tracking/db';
import {
	IMPORTED_FROM_TAG,
	exportRuns,
	importRunsFile,
	runsFileName,
	type RunsFile,
	type RunsImportProblem
} from '$lib/tracking/run-file';
import {
	artifactsOf,
	finishRunWithArtifacts,
	getRun,
	listRuns,
	logMetrics,
	metricHistory,
	type Run
} from '$lib/tracking/runs';

let quotaOnImport = false;
beforeAll(() => {
	db().use({
		stack: 'dbcore',
		name: 'quota-on-artifacts',
		create: (down) => ({
			...down,
			table: (name) => {
				const table = down.table(name);
				return {
					...table,
					mutate: (req) =>
						quotaOnImport && name === 'artifacts'
							? Promise.reject(new DOMException('quota', 'QuotaExceededError'))
							: table.mutate(req)
				};
			}
		})
	});
});
beforeEach(async () => {
	quotaOnImport = false;
	await clearDb();
});

/** A sweep (parent + two trials) with metrics and files; returns the parent. */
async function seed(): Promise<Run> {
	const parent = await newRun({ name: 'sweep', tags: { purpose: 'lr search' } });
	for (const [i, lr] of [0.01, 0.1].entries()) {
		const trial = await newRun({ name: `trial ${i}`, parentId: parent.id, params: { lr } });
		await logMetrics(
			trial.id,
			Array.from({ length: 20 }, (_, step) => ({
				key: 'loss',
				value: 1 / (step + 1 + i),
				step,
				timestamp: 1000 + step
			}))
		);
		await finishRunWithArtifacts(trial.id, {
			status: 'finished',
			artifacts: [
				{ name: 'model.json', mediaType: 'application/json', data: `{"trial":${i}}` },
				{ name: 'weights.bin', mediaType: 'application/octet-stream', data: new Float32Array(4096).fill(lr) }
			],
			summary: { test_accuracy: 0.8 + i / 10 }
		});
	}
	await logMetrics(parent.id, [{ key: 'best_loss', value: 0.05, step: 0 }]);
	await finishRunWithArtifacts(parent.id, { status: 'finished', artifacts: [] });
	return parent;
}

const strip = (r: Run) => ({ ...r, id: '', parentId: r.parentId ? 'P' : null, tags: {}, experimentId: '' });
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

describe('export → import round trip', () => {
	it('adds copies with fresh ids; counts, checksums, metrics and summaries equal', async () => {
		const parent = await seed();
		const text = await exportRuns({ runIds: [parent.id] });
		const before = await listRuns();
		const result = await importRunsFile(text);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.runs).toHaveLength(3);

		const after = await listRuns();
		expect(after).toHaveLength(6);
		const oldIds = new Set(before.map((r) => r.id));
		const copies = after.filter((r) => !oldIds.has(r.id)).sort(byName);
		expect(copies.map((r) => r.tags[IMPORTED_FROM_TAG]).sort()).toEqual([...oldIds].sort());
		for (const copy of copies) {
			const original = (await getRun(copy.tags[IMPORTED_FROM_TAG]))!;
			expect(strip(copy)).toEqual(strip(original));
			expect(copy.tags).toEqual({ ...original.tags, [IMPORTED_FROM_TAG]: original.id });
			expect(copy.experimentId).toBe(original.experimentId); // same experiment name → same experiment
			if (original.parentId)
				expect(copy.parentId).toBe(result.runs.find((r) => r.from === original.parentId)?.to);
			for (const key of Object.keys(original.summary))
				expect(await metricHistory(copy.id, key)).toEqual(await metricHistory(original.id, key));
			const [a, b] = [await artifactsOf(original.id), await artifactsOf(copy.id)];
			expect(b.map((x) => [x.name, x.bytes, x.sha256, x.mediaType])).toEqual(
				a.map((x) => [x.name, x.bytes, x.sha256, x.mediaType])
			);
			expect(b.every((x) => x.runId === copy.id && !a.some((y) => y.id === x.id))).toBe(true);
			for (const [i, x] of b.entries()) expect(await x.blob.text()).toBe(await a[i].blob.text());
		}
		expect(await db().metrics.count()).toBe(2 * (2 * 21 + 1));
		expect(await db().artifacts.count()).toBe(8);
	});

	it('importing the same file twice adds two copies', async () => {
		const parent = await seed();
		const text = await exportRuns({ runIds: [parent.id] });
		const [a, b] = [await importRunsFile(text), await importRunsFile(text)];
		const ids = [a, b].flatMap((r) => (r.ok ? r.runs.map((x) => x.to) : []));
		expect(new Set(ids).size).toBe(6);
		expect(await listRuns()).toHaveLength(9);
	});

	it('a trial exported without its parent comes in top-level; a running run comes in interrupted', async () => {
		const lone = await newRun({ name: 'still running' });
		const parent = await seed();
		const [trial] = await listRuns({ parentId: parent.id });
		const text = await exportRuns({ runIds: [trial.id, lone.id], includeChildren: false });
		const result = await importRunsFile(text);
		if (!result.ok) throw new Error(result.message);
		const copies = await Promise.all(result.runs.map((r) => getRun(r.to)));
		expect(copies.map((r) => [r?.parentId, r?.status])).toEqual([
			[null, 'finished'],
			[null, 'interrupted']
		]);
	});

	it('names the file after a single run, or the date', () => {
		const now = new Date('2026-11-22T10:00:00Z');
		expect(runsFileName([{ name: 'MLP — lr 0.01' }], now)).toBe('mlp-lr-0-01.edgebook-runs.json');
		expect(runsFileName([{ name: 'a' }, { name: 'b' }], now)).toBe(
			'edgebook-runs-2026-11-22.edgebook-runs.json'
		);
	});
});

describe('bad runs files are refused by kind, and write nothing', () => {
	let valid: RunsFile;
	beforeEach(async () => {
		const parent = await seed();
		valid = JSON.parse(await exportRuns({ runIds: [parent.id] }));
	});
	const edit = (change: (f: RunsFile) => void) => () => {
		const copy = structuredClone(valid);
		change(copy);
		return JSON.stringify(copy);
	};
	const trial = (f: RunsFile) => f.runs.find((r) => r.artifacts.length > 0)!;

	// [what, file text, expected code, words the message must contain]
	const cases: [string, () => string, RunsImportProblem, string][] = [
		['an empty file', () => '  \n', 'empty', 'is empty'],
		['text that is not JSON', () => '{"format": "edgebook-runs",', 'not-json', 'not JSON'],
		[
			'a notebook file',
			() => JSON.stringify({ format: 'edgebook-notebook', formatVersion: 1, notebook: {} }),
			'notebook-file',
			'notebook'
		],
		[
			'a foreign JSON file',
			() => JSON.stringify({ experiments: [], runs: [] }),
			'not-edgebook',
			'edgebook-runs'
		],
		['a JSON array', () => '[1, 2, 3]', 'not-edgebook', 'not an Edgebook runs file'],
		[
			'a newer format',
			edit((f) => ((f as { formatVersion: number }).formatVersion = 2)),
			'newer-version',
			'newer Edgebook'
		],
		[
			'a run without lineage',
			edit((f) => delete (f.runs[0].run as Partial<Run>).lineage),
			'invalid',
			'lineage'
		],
		[
			'an unknown run status',
			edit((f) => ((f.runs[0].run as { status: string }).status = 'paused')),
			'invalid',
			'status'
		],
		[
			'a NaN written as null',
			edit((f) => ((trial(f).metrics[0].values as unknown[])[3] = null)),
			'invalid',
			'values'
		],
		[
			'metric columns of different lengths',
			edit((f) => trial(f).metrics[0].steps.pop()),
			'invalid',
			'same length'
		],
		['the same run twice', edit((f) => f.runs.push(f.runs[0])), 'invalid', 'twice'],
		[
			'a run that is its own ancestor',
			edit((f) => (f.runs[0].run.parentId = f.runs[0].run.id)),
			'invalid',
			'ancestor'
		],
		[
			'an artifact that is not base64',
			edit((f) => (trial(f).artifacts[0].base64 = 'not base64!')),
			'invalid',
			'base64'
		],
		[
			'an artifact whose bytes were changed',
			edit((f) => (trial(f).artifacts[0].base64 = btoa('{"trial":9}'))),
			'checksum-mismatch',
			'checksum'
		],
		[
			'an artifact whose size was changed',
			edit((f) => (trial(f).artifacts[1].bytes += 1)),
			'checksum-mismatch',
			'weights.bin'
		]
	];
	it.each(cases)('%s', async (_, text, code, words) => {
		const counts = async () => Promise.all([db().runs.count(), db().metrics.count(), db().artifacts.count()]);
		const before = await counts();
		const result = await importRunsFile(text(), { fileName: 'runs.json' });
		expect(result).toMatchObject({ ok: false, code });
		if (!result.ok) {
			expect(result.message).toContain('runs.json');
			expect(result.message).toContain(words);
		}
		expect(await counts()).toEqual(before);
	});

	it('a full disk during import: storage-full, and nothing of the file is kept', async () => {
		const before = await db().runs.count();
		quotaOnImport = true;
		const result = await importRunsFile(JSON.stringify(valid));
		quotaOnImport = false;
		expect(result).toMatchObject({ ok: false, code: 'storage-full' });
		expect(await db().runs.count()).toBe(before);
	});
});
