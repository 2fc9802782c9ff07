import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BatchJob as Job, PredictResponse } from '../../../src/lib/contract';
import type { Preprocessing } from '../../../src/lib/ml/types';
import type { BatchJob } from '../../../workers/batch/job-object';
import { partKey } from '../../../workers/batch/jobs';
import { testEnv, type ErrorJson } from '../helpers';
import { predictPath, register, upload } from '../inference/fixtures';
import { gemmModel } from '../inference/onnx-builder';
import { api, ok, snapshot } from '../v1/fixtures';
import { PARQUET_23 } from './fixture-parquet';

/**
 * Batch scoring jobs inside workerd: a CSV or Parquet file scored in chunks (5 rows each here: BATCH_CHUNK_ROWS in
 * vitest.worker.config.ts) by the job's Durable Object, driven alarm by alarm; the result equals what the predict
 * route answers for the same rows, in file order, with no row lost or written twice across a crash; bad input is a
 * 4xx naming the problem with nothing stored.
 */

const PREP: Preprocessing = {
	version: 1,
	features: [
		{ name: 'age', kind: 'numeric', mean: 30, std: 10, impute: 30 },
		{ name: 'plan', kind: 'categorical', categories: ['basic', 'pro'] }
	],
	target: { name: 'churn', task: 'binary', classes: ['no', 'yes'] },
	width: 4
};
const W1 = [[1], [0.5], [-0.5], [2]];
const W2 = [[-1], [0], [0], [0]];

const PLANS = ['basic', 'pro', 'gold', null];
const N = 23;
const rowsOf = (n = N) =>
	Array.from({ length: n }, (_, i) => ({ customer: `c${i}`, age: 20 + i, plan: PLANS[i % 4] }));
const csvOf = (rows: { customer: string; age: number | string; plan: string | null }[]) =>
	'customer,age,plan\n' + rows.map((r) => `${r.customer},${r.age},${r.plan ?? ''}`).join('\n') + '\n';

type Line = { row: number; customer: string; age: number; plan: string | null } & Record<string, unknown>;

const stubOf = (id: string) => testEnv.BATCH_JOB.get(testEnv.BATCH_JOB.idFromName(id));

const progress = (id: string) => runInDurableObject(stubOf(id), (o: BatchJob) => o.progress());
const tick = () => new Promise((r) => setTimeout(r, 5));

/**
 * Runs the job's alarms until it stops (alarms also fire by themselves here: when none is scheduled, one may be
 * running, so it waits for the status to settle).
 */
async function drive(id: string, limit = 2000): Promise<void> {
	for (let n = 0; n < limit; n++) {
		if (await runDurableObjectAlarm(stubOf(id))) continue;
		const p = await progress(id);
		if (!p || (p.status !== 'queued' && p.status !== 'running')) return;
		await tick();
	}
	throw new Error('the job never ends');
}

async function create(body: BodyInit, type: string, query = '', model = 'churn'): Promise<Job> {
	return ok<Job>(`/api/v1/models/${model}/batch${query}`, {
		method: 'POST',
		body,
		headers: { 'content-type': type },
		status: 202
	});
}

async function result(id: string): Promise<Line[]> {
	const res = await api(`/api/v1/batch/${id}/result`);
	const text = await res.text();
	expect(res.status, text).toBe(200);
	expect(res.headers.get('content-type')).toBe('application/x-ndjson');
	return text
		.split('\n')
		.filter(Boolean)
		.map((l) => JSON.parse(l) as Line);
}

/** What the predict route answers for the same rows, as result columns. */
async function expected(version: number, rows = rowsOf()): Promise<Record<string, unknown>[]> {
	const out = await ok<PredictResponse>(predictPath('churn', version), {
		method: 'POST',
		json: { rows: rows.map(({ age, plan }) => ({ age, plan })) }
	});
	return out.predictions.map((p) => {
		const flat: Record<string, unknown> = { output_label: 'label' in p ? p.label : null };
		if ('probabilities' in p)
			for (const [k, v] of Object.entries(p.probabilities)) flat[`output_probabilities_${k}`] = v;
		return flat;
	});
}

beforeAll(async () => {
	await register('churn', {
		sha: await upload(gemmModel({ weights: W1, bias: [0.1], head: 'sigmoid' })),
		prep: PREP
	});
	await register('churn', {
		sha: await upload(gemmModel({ weights: W2, bias: [0], head: 'sigmoid' })),
		prep: PREP
	});
	await ok('/api/v1/models/churn/aliases/champion', { method: 'PUT', json: { version: 1 } });
	// The first prediction an isolate serves loads ORT.
	await expected(1, rowsOf(1));
}, 60_000);

describe('a batch job', () => {
	it('scores a CSV in chunks across alarms, in file order, equal to the predict route', async () => {
		const job = await create(csvOf(rowsOf()), 'text/csv');
		expect(job).toMatchObject({
			status: 'queued',
			model: 'churn',
			version: 1,
			alias: 'champion',
			rowsTotal: N
		});
		const early = await api(`/api/v1/batch/${job.id}/result`);
		expect(early.status).toBe(409);
		// Queued, or already running: its first alarm may fire before this request (it did under CI's load).
		expect((await early.json<ErrorJson>()).error.message).toMatch(/is (queued|running) \(\d+ of 23 rows\)/);
		await drive(job.id);
		const done = await ok<Job>(`/api/v1/batch/${job.id}`);
		expect(done).toMatchObject({ status: 'done', rowsDone: N, parts: 5, error: null });
		const lines = await result(job.id);
		const want = await expected(1);
		expect(lines).toEqual(rowsOf().map((r, i) => ({ row: i, ...r, ...want[i] })));
		// The uploaded input is deleted once the job is done; the parts stay for the result.
		const left = await testEnv.ARTIFACTS.list({ prefix: `batch/local/${job.id}/` });
		expect(left.objects.map((o) => o.key.split('/').pop())).toEqual(
			[1, 2, 3, 4, 5].map((n) => `part-00000${n}.ndjson`)
		);
	});

	it('scores a Parquet file (row groups of 10, int64 ages, null plans) to the same rows', async () => {
		const job = await create(PARQUET_23, 'application/vnd.apache.parquet');
		expect(job.rowsTotal).toBe(N);
		await drive(job.id);
		const want = await expected(1);
		expect(await result(job.id)).toEqual(rowsOf().map((r, i) => ({ row: i, ...r, ...want[i] })));
	});

	it('scores a blob stored before, named by its sha-256, by version', async () => {
		const bytes = new TextEncoder().encode(csvOf(rowsOf(7)));
		const sha = await upload(bytes);
		const job = await ok<Job>('/api/v1/models/churn/batch', {
			method: 'POST',
			json: { input: { sha256: sha, format: 'csv' }, version: 2 },
			status: 202
		});
		expect(job).toMatchObject({ version: 2, alias: null, input: { sha256: sha, format: 'csv' } });
		await drive(job.id);
		const want = await expected(2, rowsOf(7));
		expect(await result(job.id)).toEqual(rowsOf(7).map((r, i) => ({ row: i, ...r, ...want[i] })));
		// A named blob is the caller's: it stays.
		expect(await testEnv.ARTIFACTS.head(`blobs/${sha}`)).not.toBeNull();
	});

	it('pins the version at creation: the alias moving mid-job changes no row', async () => {
		const job = await create(csvOf(rowsOf()), 'text/csv', '?alias=champion');
		await runDurableObjectAlarm(stubOf(job.id));
		await ok('/api/v1/models/churn/aliases/champion', { method: 'PUT', json: { version: 2 } });
		try {
			await drive(job.id);
			const want = await expected(1);
			expect((await result(job.id)).map((l) => l.output_probabilities_yes)).toEqual(
				want.map((w) => w.output_probabilities_yes)
			);
		} finally {
			await ok('/api/v1/models/churn/aliases/champion', { method: 'PUT', json: { version: 1 } });
		}
	});

	it('a crash after a part is written and before the cursor is loses no row and duplicates none', async () => {
		// Whichever alarm runs next writes its part, then "crashes" before the cursor moves. The seam lives in the
		// object's storage, so it holds even when workerd replaces the instance between calls, and the retry waits
		// a minute, so nothing moves the cursor before it is read. A job whose own alarms finished it before the
		// seam was set is tried again with a new one.
		let job: Job | null = null;
		for (let attempt = 0; attempt < 5 && !job; attempt++) {
			const j = await create(csvOf(rowsOf()), 'text/csv');
			const stub = stubOf(j.id);
			await runInDurableObject(stub, (o: BatchJob) => o.simulateCrash(30_000));
			const state = () =>
				runInDurableObject(stub, (_o: BatchJob, st) =>
					st.storage.sql.exec<{ failures: number; status: string }>('SELECT failures, status FROM job').one()
				);
			for (;;) {
				const s = await state();
				if (s.failures > 0) {
					job = j;
					break;
				}
				if (s.status !== 'queued' && s.status !== 'running') break;
				if (!(await runDurableObjectAlarm(stub))) await tick();
			}
		}
		if (!job) throw new Error('no chunk crashed in 5 jobs');
		const p = (await progress(job.id))!;
		expect(p.rowsDone).toBe(p.parts * 5);
		// The part after the cursor's is in storage already; the chunk runs again and writes the same key.
		expect(await testEnv.ARTIFACTS.head(partKey('local', job.id, p.parts + 1))).not.toBeNull();
		await drive(job.id);
		const lines = await result(job.id);
		expect(lines.map((l) => l.row)).toEqual(rowsOf().map((_, i) => i));
		const want = await expected(1);
		expect(lines.map((l) => l.output_label)).toEqual(want.map((w) => w.output_label));
	});

	it('a value the model cannot take fails the job naming the row, the line and the column', async () => {
		const rows: { customer: string; age: number | string; plan: string | null }[] = rowsOf(12);
		rows[8] = { ...rows[8], age: 'old' };
		const job = await create(csvOf(rows), 'text/csv');
		await drive(job.id);
		const failed = await ok<Job>(`/api/v1/batch/${job.id}`);
		expect(failed.status).toBe('failed');
		expect(failed.error).toBe('Row 8 (line 10 of the file): "age" is numeric; got "old"');
		const res = await api(`/api/v1/batch/${job.id}/result`);
		expect(res.status).toBe(409);
		expect((await res.json<ErrorJson>()).error.message).toMatch(/is failed: Row 8/);
	});

	it('cancels a running job: no more chunks, its parts and input deleted', async () => {
		const job = await create(csvOf(rowsOf()), 'text/csv');
		await runDurableObjectAlarm(stubOf(job.id));
		const cancelled = await ok<Job>(`/api/v1/batch/${job.id}`, { method: 'DELETE' });
		expect(cancelled.status).toBe('cancelled');
		await drive(job.id);
		expect((await ok<Job>(`/api/v1/batch/${job.id}`)).status).toBe('cancelled');
		expect((await testEnv.ARTIFACTS.list({ prefix: `batch/local/${job.id}/` })).objects).toEqual([]);
		const again = await api(`/api/v1/batch/${job.id}`, { method: 'DELETE' });
		expect(again.status).toBe(409);
	});
});

describe('bad input: a 4xx naming the problem, nothing stored', () => {
	const csv = csvOf(rowsOf(3));
	const missingBlob = 'ab'.repeat(32);
	type Case = {
		name: string;
		path?: string;
		method?: string;
		body?: BodyInit;
		json?: unknown;
		type?: string;
		headers?: Record<string, string>;
		status: number;
		message: RegExp;
	};
	const CASES: Case[] = [
		{ name: 'an empty body', body: '', type: 'text/csv', status: 400, message: /The body is empty/ },
		{
			name: 'an empty JSON body',
			body: '',
			type: 'application/json',
			status: 400,
			message: /The body is empty/
		},
		{
			name: 'another content type',
			body: csv,
			type: 'text/plain',
			status: 415,
			message: /must be a CSV file \(text\/csv\), a Parquet file/
		},
		{
			name: 'no content type',
			body: new TextEncoder().encode(csv),
			status: 415,
			message: /without a Content-Type/
		},
		{
			name: 'garbage claimed as Parquet',
			body: 'this is not parquet at all, just text',
			type: 'application/vnd.apache.parquet',
			status: 400,
			message: /^Invalid Parquet file: /
		},
		{
			name: 'a Parquet file sent as CSV',
			body: PARQUET_23,
			type: 'text/csv',
			status: 400,
			message: /^Invalid CSV file: the file is not UTF-8 text/
		},
		{
			name: 'a CSV missing a column the model needs',
			body: 'customer,age\nc0,20\n',
			type: 'text/csv',
			status: 400,
			message: /needs the column "plan", which the file does not have \(it has "customer", "age"\)/
		},
		{
			name: 'a header-only CSV',
			body: 'customer,age,plan\n',
			type: 'text/csv',
			status: 400,
			message: /has no rows to score/
		},
		{
			name: 'a ragged CSV row',
			body: 'customer,age,plan\nc0,20,basic\nc1,21\n',
			type: 'text/csv',
			status: 400,
			message: /row 1 \(line 3\) has 2 fields; the header has 3/
		},
		{
			name: 'an unclosed quote',
			body: 'customer,age,plan\n"c0,20,basic\n',
			type: 'text/csv',
			status: 400,
			message: /a quoted field opened on line 2 is never closed/
		},
		{
			name: 'a named blob that does not exist',
			json: { input: { sha256: missingBlob, format: 'csv' } },
			status: 404,
			message: new RegExp(`No uploaded blob with sha-256 ${missingBlob}`)
		},
		{
			name: 'a named blob of a bad format',
			json: { input: { sha256: missingBlob, format: 'xlsx' } },
			status: 400,
			message: /input\.format/
		},
		{ name: 'bad JSON', body: '{"input": ', type: 'application/json', status: 400, message: /JSON/ },
		{
			name: 'JSON with an unknown field',
			json: { input: { sha256: missingBlob, format: 'csv' }, rows: 1 },
			status: 400,
			message: /rows/
		},
		{
			name: 'a version and an alias',
			body: csv,
			type: 'text/csv',
			path: '/api/v1/models/churn/batch?alias=champion&version=1',
			status: 400,
			message: /a version or an alias, not both/
		},
		{
			name: 'an unknown model',
			body: csv,
			type: 'text/csv',
			path: '/api/v1/models/nope/batch',
			status: 404,
			message: /No registered model named "nope"/
		},
		{
			name: 'an unknown alias',
			body: csv,
			type: 'text/csv',
			path: '/api/v1/models/churn/batch?alias=gone',
			status: 404,
			message: /has no alias "gone"/
		},
		{
			name: 'an unknown version',
			body: csv,
			type: 'text/csv',
			path: '/api/v1/models/churn/batch?version=9',
			status: 404,
			message: /has no version 9/
		},
		{
			name: 'a malformed version',
			body: csv,
			type: 'text/csv',
			path: '/api/v1/models/churn/batch?version=1.5',
			status: 400,
			message: /positive whole number/
		},
		{
			name: 'a file over the size limit',
			body: csv,
			type: 'text/csv',
			headers: { 'content-length': String(600 * 1024 * 1024) },
			status: 413,
			message: /larger than 104857600 bytes/
		},
		{
			name: 'an unknown job',
			path: `/api/v1/batch/bj_${'0'.repeat(32)}`,
			method: 'GET',
			status: 404,
			message: /No batch job bj_0+/
		},
		{
			name: 'a malformed job id',
			path: '/api/v1/batch/nope',
			method: 'GET',
			status: 400,
			message: /bj_ and 32 hex digits/
		},
		{
			name: 'the result of an unknown job',
			path: `/api/v1/batch/bj_${'0'.repeat(32)}/result`,
			method: 'GET',
			status: 404,
			message: /No batch job/
		}
	];

	it.each(CASES)('$name → $status', async (c) => {
		const before = await snapshot(testEnv.DB);
		const objects = (await testEnv.ARTIFACTS.list()).objects.length;
		const headers: Record<string, string> = { ...c.headers };
		if (c.type) headers['content-type'] = c.type;
		const res = await api(c.path ?? '/api/v1/models/churn/batch', {
			method: c.method ?? 'POST',
			body: c.body,
			json: c.json,
			headers
		});
		const text = await res.text();
		expect(res.status, text).toBe(c.status);
		const body = JSON.parse(text) as ErrorJson;
		expect(body.error.message).toMatch(c.message);
		expect(await snapshot(testEnv.DB)).toBe(before);
		expect((await testEnv.ARTIFACTS.list()).objects.length).toBe(objects);
	});
});
