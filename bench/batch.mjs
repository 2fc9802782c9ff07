// bench:batch — scoring a table at the edge as one batch job beside the same rows sent as 1,000-row predict requests,
// under `wrangler dev`. A generated CSV of `--rows` rows (default 200,000; the case is --rows 1000000) of
// bench:inference's 20-feature MLP is uploaded as a batch job (POST /api/v1/models/:name/batch), polled until done
// and its NDJSON result read back; then the same rows go through POST …/predict in requests of 1,000, one at a time
// and 8 at once (tokens round-robin so the per-token rate limit does not decide the figure). Neither path writes the
// prediction log (the model's sample rate is 0), so both do the same work per row. Reports, never asserts, times.
import { createHash } from 'node:crypto';
import { api, mlp, rowsOf, spec } from './inference.mjs';
import { intOption, round, table } from './lib.mjs';

const MODEL = 'batch-bench';
const REQUEST_ROWS = 1000;

function csvOf(rows) {
	const names = Object.keys(rows[0]);
	const lines = [names.join(',')];
	for (const r of rows) lines.push(names.map((k) => r[k]).join(','));
	return lines.join('\n') + '\n';
}

async function setup(url, adminToken) {
	const bytes = mlp();
	const sha = createHash('sha256').update(bytes).digest('hex');
	await api(url, adminToken, 'PUT', `/api/v1/blobs/${sha}`, bytes, 'application/octet-stream');
	await api(url, adminToken, 'POST', '/api/v1/models', { name: MODEL });
	const v = await api(url, adminToken, 'POST', `/api/v1/models/${MODEL}/versions`, {
		artifactSha256: sha,
		signature: { preprocessing: spec }
	});
	await api(url, adminToken, 'PUT', `/api/v1/models/${MODEL}/aliases/champion`, { version: v.version });
	await api(url, adminToken, 'PUT', `/api/v1/models/${MODEL}/tags/edgebook.log.sample_rate`, { value: '0' });
	const tokens = [];
	for (let i = 0; i < 8; i++)
		tokens.push(
			(await api(url, adminToken, 'POST', '/api/v1/tokens', { name: `batch-${i}`, scopes: ['predict'] }))
				.secret
		);
	return tokens;
}

async function batchJob(url, token, csv) {
	const t0 = performance.now();
	const job = await api(url, token, 'POST', `/api/v1/models/${MODEL}/batch`, csv, 'text/csv');
	const accepted = performance.now() - t0;
	let status = job;
	while (status.status === 'queued' || status.status === 'running') {
		await new Promise((r) => setTimeout(r, 200));
		status = await api(url, token, 'GET', `/api/v1/batch/${job.id}`);
	}
	if (status.status !== 'done') throw new Error(`batch job ${job.id} ${status.status}: ${status.error}`);
	const scored = performance.now() - t0;
	const res = await fetch(`${url}/api/v1/batch/${job.id}/result`, {
		headers: { authorization: `Bearer ${token}` }
	});
	const text = await res.text();
	const lines = text.split('\n').filter(Boolean).length;
	return {
		accepted,
		scored,
		total: performance.now() - t0,
		lines,
		parts: status.parts,
		resultBytes: text.length
	};
}

async function requests(url, tokens, rows, concurrency) {
	const bodies = [];
	for (let i = 0; i < rows.length; i += REQUEST_ROWS)
		bodies.push(JSON.stringify({ dataframe_records: rows.slice(i, i + REQUEST_ROWS) }));
	let next = 0;
	let answered = 0;
	const t0 = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < bodies.length) {
				const i = next++;
				const res = await fetch(`${url}/api/v1/models/${MODEL}/predict`, {
					method: 'POST',
					headers: {
						authorization: `Bearer ${tokens[i % tokens.length]}`,
						'content-type': 'application/json'
					},
					body: bodies[i]
				});
				if (!res.ok) throw new Error(`predict → ${res.status} ${await res.text()}`);
				const got = (await res.json()).predictions.length;
				answered += got;
			}
		})
	);
	return { total: performance.now() - t0, requests: bodies.length, answered };
}

export async function run({ url, adminToken }) {
	const n = intOption('batch', 'rows', 200_000);
	const tokens = await setup(url, adminToken);
	const rows = rowsOf(n, 11);
	const csv = csvOf(rows);
	// The first prediction after a start loads ORT: paid here, by neither path.
	await api(url, tokens[0], 'POST', `/api/v1/models/${MODEL}/predict`, {
		dataframe_records: rows.slice(0, 1)
	});
	const job = await batchJob(url, tokens[0], csv);
	const one = await requests(url, tokens, rows, 1);
	const eight = await requests(url, tokens, rows, 8);
	const rate = (ms) => Math.round(n / (ms / 1000));
	const results = [
		{
			path: 'batch job (1 upload)',
			requests: 1,
			totalS: round(job.total / 1000, 2),
			rowsPerS: rate(job.total),
			rows: job.lines,
			note: `202 after ${round(job.accepted / 1000, 2)} s; done after ${round(job.scored / 1000, 2)} s; ${job.parts} parts`
		},
		{
			path: `predict, ${REQUEST_ROWS}-row requests, 1 at a time`,
			requests: one.requests,
			totalS: round(one.total / 1000, 2),
			rowsPerS: rate(one.total),
			rows: one.answered,
			note: ''
		},
		{
			path: `predict, ${REQUEST_ROWS}-row requests, 8 at a time`,
			requests: eight.requests,
			totalS: round(eight.total / 1000, 2),
			rowsPerS: rate(eight.total),
			rows: eight.answered,
			note: ''
		}
	];
	const text =
		`${n.toLocaleString('en-US')} rows × 20 features (CSV ${(csv.length / 2 ** 20).toFixed(1)} MiB), MLP 20→64→64→3\n\n` +
		table(
			['path', 'requests', 'total s', 'rows/s', 'rows back', 'note'],
			results.map((r) => [r.path, r.requests, r.totalS, r.rowsPerS, r.rows, r.note])
		);
	return { text, json: { rows: n, csvBytes: csv.length, results } };
}
