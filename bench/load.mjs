// bench:load — concurrent load on three routes under `wrangler dev`, side by side in one run (autocannon).
// Routes: predict (POST …/aliases/champion/predict, 1 row, the bench:inference model), log-batch (POST
// /api/2.0/mlflow/runs/log-batch, 10 metric points) and GET /api/v1/me (auth only: the floor). Each route runs at
// 8, 32 and 64 connections for `--duration` seconds (default 60, as asked; the whole run takes ~10 min).
// The per-token rate limit (LIMITS.requestsPerMinute) would decide the figure with one token, so each request
// takes the next of `--tokens` tokens (default 128) round-robin; any 429 that still happens is counted apart.
import autocannon from 'autocannon';
import { createHash } from 'node:crypto';
import { api, mlp, rowsOf, spec } from './inference.mjs';
import { intOption, round, table } from './lib.mjs';

const CONNECTIONS = [8, 32, 64];

/** A model to predict with and one run per token to log to (so log-batch writes do not all hit one run). */
async function setup(url, adminToken, tokenCount) {
	const bytes = mlp();
	const sha = createHash('sha256').update(bytes).digest('hex');
	await api(url, adminToken, 'PUT', `/api/v1/blobs/${sha}`, bytes, 'application/octet-stream');
	await api(url, adminToken, 'POST', '/api/v1/models', { name: 'load-mlp' });
	const v = await api(url, adminToken, 'POST', '/api/v1/models/load-mlp/versions', {
		artifactSha256: sha,
		signature: { preprocessing: spec }
	});
	await api(url, adminToken, 'PUT', '/api/v1/models/load-mlp/aliases/champion', { version: v.version });
	const tokens = [];
	for (let i = 0; i < tokenCount; i++) {
		const t = await api(url, adminToken, 'POST', '/api/v1/tokens', {
			name: `load-${i}`,
			scopes: ['read', 'write', 'predict']
		});
		const run = await fetch(`${url}/api/2.0/mlflow/runs/create`, {
			method: 'POST',
			headers: { authorization: `Bearer ${t.secret}`, 'content-type': 'application/json' },
			body: JSON.stringify({ experiment_id: '0', run_name: `load-${i}` })
		}).then((r) => r.json());
		tokens.push({ secret: t.secret, runId: run.run.info.run_id });
	}
	return tokens;
}

function routes() {
	const predictBody = JSON.stringify({ rows: rowsOf(1, 1) });
	const metrics = Array.from({ length: 10 }, (_, i) => ({
		key: `m${i}`,
		value: i / 10,
		timestamp: 1,
		step: 0
	}));
	return {
		predict: {
			method: 'POST',
			path: '/api/v1/models/load-mlp/aliases/champion/predict',
			body: () => predictBody
		},
		'log-batch': {
			method: 'POST',
			path: '/api/2.0/mlflow/runs/log-batch',
			body: (t) => JSON.stringify({ run_id: t.runId, metrics })
		},
		me: { method: 'GET', path: '/api/v1/me', body: () => undefined }
	};
}

export function cell(url, route, tokens, connections, duration) {
	let next = 0;
	return autocannon({
		url,
		connections,
		duration,
		requests: [
			{
				method: route.method,
				path: route.path,
				setupRequest: (req) => {
					const t = tokens[next++ % tokens.length];
					const body = route.body(t);
					return {
						...req,
						headers: {
							authorization: `Bearer ${t.secret}`,
							...(body ? { 'content-type': 'application/json' } : {})
						},
						body
					};
				}
			}
		]
	});
}

export function figures(route, connections, r) {
	const codes = r.statusCodeStats ?? {};
	const count = (pred) =>
		Object.entries(codes)
			.filter(([code]) => pred(Number(code)))
			.reduce((n, [, v]) => n + v.count, 0);
	const rate429 = count((c) => c === 429);
	return {
		route,
		connections,
		requests: r.requests.total,
		rps: round(r.requests.average, 0),
		p50Ms: r.latency.p50,
		p99Ms: r.latency.p99,
		ok: count((c) => c >= 200 && c < 300),
		// Errors: no answer (socket error, timeout) or a 4xx other than 429; 5xx apart; 429 apart (goal: all 0).
		errors: r.errors + r.timeouts + count((c) => c >= 400 && c < 500 && c !== 429),
		status5xx: count((c) => c >= 500),
		status429: rate429
	};
}

export async function run({ url, adminToken }) {
	const duration = intOption('load', 'duration', 60);
	const tokenCount = intOption('load', 'tokens', 128);
	const tokens = await setup(url, adminToken, tokenCount);
	const all = routes();
	// One request each first: ORT's wasm loads on the first prediction, which is no steady-state figure.
	for (const r of Object.values(all)) {
		const t = tokens[0];
		const body = r.body(t);
		const res = await fetch(`${url}${r.path}`, {
			method: r.method,
			headers: { authorization: `Bearer ${t.secret}`, 'content-type': 'application/json' },
			body
		});
		if (!res.ok) throw new Error(`warm-up ${r.method} ${r.path} → ${res.status} ${await res.text()}`);
	}
	const out = [];
	for (const [name, route] of Object.entries(all))
		for (const connections of CONNECTIONS) {
			process.stdout.write(`  ${name} × ${connections} connections, ${duration} s…\n`);
			out.push(figures(name, connections, await cell(url, route, tokens, connections, duration)));
		}
	const text = [
		`${duration} s per cell; ${tokenCount} tokens round-robin (rate limit per token and minute applies to each).`,
		'predict: 1 row, MLP 20→64→64→3; log-batch: 10 metric points to the token’s own run; me: auth only.',
		'req/s: autocannon’s mean of per-second counts; p50/p99 ms over all requests; errors = socket errors,',
		'timeouts and 4xx other than 429; 5xx and 429 counted apart (goal: errors and 5xx 0).',
		'',
		table(
			['route', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'requests', '2xx', 'errors', '5xx', '429'],
			out.map((r) => [
				r.route,
				r.connections,
				r.rps,
				r.p50Ms,
				r.p99Ms,
				r.requests,
				r.ok,
				r.errors,
				r.status5xx,
				r.status429
			])
		)
	].join('\n');
	return { text, json: { durationS: duration, tokens: tokenCount, results: out } };
}
