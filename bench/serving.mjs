// bench:serving — the edge predict route under concurrency, beside the trivial route and bare onnxruntime, in one
// run under `wrangler dev` (autocannon). Cells: GET /api/v1/me (auth only: the floor of any request), predict with
// 1 row with the prediction log on and off (model tag edgebook.log.sample_rate = 0), and predict with 64 rows; each
// at 1, 8 and 32 connections for `--duration` seconds (default 20). Requests take the next of `--tokens` tokens
// round-robin so the per-token rate limit does not decide the figure. Then onnxruntime-web's session.run in Node on
// the same graph, for what the compute alone costs. Goals (issue: serve any ONNX model): predict ≥ 0.8× the trivial
// route's requests/s at 1 row; logging costs ≤ 5% on p50. The first prediction after a start is bench:inference's.
import { createHash } from 'node:crypto';
import { api, mlp, rowsOf, spec } from './inference.mjs';
import { cell, figures } from './load.mjs';
import { intOption, median, round, table } from './lib.mjs';

const CONNECTIONS = [1, 8, 32];

async function setup(url, adminToken, tokenCount) {
	const bytes = mlp();
	const sha = createHash('sha256').update(bytes).digest('hex');
	await api(url, adminToken, 'PUT', `/api/v1/blobs/${sha}`, bytes, 'application/octet-stream');
	for (const name of ['serve-logged', 'serve-unlogged']) {
		await api(url, adminToken, 'POST', '/api/v1/models', { name });
		const v = await api(url, adminToken, 'POST', `/api/v1/models/${name}/versions`, {
			artifactSha256: sha,
			signature: { preprocessing: spec }
		});
		await api(url, adminToken, 'PUT', `/api/v1/models/${name}/aliases/champion`, { version: v.version });
	}
	await api(url, adminToken, 'PUT', '/api/v1/models/serve-unlogged/tags/edgebook.log.sample_rate', {
		value: '0'
	});
	const tokens = [];
	for (let i = 0; i < tokenCount; i++) {
		const t = await api(url, adminToken, 'POST', '/api/v1/tokens', {
			name: `serve-${i}`,
			scopes: ['read', 'predict']
		});
		tokens.push({ secret: t.secret });
	}
	return { bytes, tokens };
}

function routes() {
	const one = JSON.stringify({ dataframe_records: rowsOf(1, 1) });
	const many = JSON.stringify({ dataframe_records: rowsOf(64, 64) });
	const predict = (model, body) => ({
		method: 'POST',
		path: `/api/v1/models/${model}/predict`,
		body: () => body
	});
	return {
		me: { method: 'GET', path: '/api/v1/me', body: () => undefined },
		'predict 1 row, log on': predict('serve-logged', one),
		'predict 1 row, log off': predict('serve-unlogged', one),
		'predict 64 rows, log on': predict('serve-logged', many)
	};
}

/**
 * The log's cost on one caller's latency, to a hundredth of a millisecond: autocannon's percentiles are whole
 * milliseconds, too coarse for 5% of a 3 ms request. Requests one at a time, logged and unlogged alternating (so
 * background load falls on both alike), timed from send to the last byte.
 */
async function sequentialLogCost(url, token, routesByName, n = 600) {
	const time = async (r) => {
		const t0 = performance.now();
		const res = await fetch(`${url}${r.path}`, {
			method: r.method,
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: r.body()
		});
		await res.arrayBuffer();
		return performance.now() - t0;
	};
	const on = [];
	const off = [];
	for (let i = 0; i < n; i++) {
		const pair = i % 2 ? ['on', 'off'] : ['off', 'on'];
		for (const which of pair) {
			const ms = await time(routesByName[`predict 1 row, log ${which}`]);
			(which === 'on' ? on : off).push(ms);
		}
	}
	const [onMs, offMs] = [median(on), median(off)];
	return {
		requests: n,
		onP50Ms: round(onMs, 2),
		offP50Ms: round(offMs, 2),
		costPct: round(((onMs - offMs) / offMs) * 100, 1)
	};
}

async function bareOrt(bytes) {
	const ort = await import('onnxruntime-web/wasm');
	ort.env.wasm.numThreads = 1;
	const session = await ort.InferenceSession.create(bytes);
	const out = {};
	for (const n of [1, 64]) {
		const x = Float32Array.from({ length: n * spec.width }, (_, i) => ((i * 7919) % 97) / 50 - 1);
		const feed = () => ({ features: new ort.Tensor('float32', x, [n, spec.width]) });
		for (let i = 0; i < 20; i++) await session.run(feed());
		const samples = [];
		for (let i = 0; i < 500; i++) {
			const t0 = performance.now();
			await session.run(feed());
			samples.push(performance.now() - t0);
		}
		out[n] = { medianMs: round(median(samples), 4), perSecond: Math.round(1000 / median(samples)) };
	}
	await session.release();
	return out;
}

export async function run({ url, adminToken }) {
	const duration = intOption('serving', 'duration', 20);
	const tokenCount = intOption('serving', 'tokens', 128);
	const { bytes, tokens } = await setup(url, adminToken, tokenCount);
	const all = routes();
	// One request each first: ORT's wasm loads on the first prediction, which is no steady-state figure.
	for (const r of Object.values(all)) {
		const res = await fetch(`${url}${r.path}`, {
			method: r.method,
			headers: { authorization: `Bearer ${tokens[0].secret}`, 'content-type': 'application/json' },
			body: r.body()
		});
		if (!res.ok) throw new Error(`warm-up ${r.method} ${r.path} → ${res.status} ${await res.text()}`);
	}
	const out = [];
	for (const connections of CONNECTIONS)
		for (const [name, route] of Object.entries(all)) {
			process.stdout.write(`  ${name} × ${connections} connections, ${duration} s…\n`);
			out.push(figures(name, connections, await cell(url, route, tokens, connections, duration)));
		}
	process.stdout.write('  log on vs off, one request at a time…\n');
	const sequential = await sequentialLogCost(url, tokens[0].secret, all);
	const bare = await bareOrt(bytes);
	const at = (route, c) => out.find((r) => r.route === route && r.connections === c);
	const summary = CONNECTIONS.map((c) => {
		const me = at('me', c);
		const on = at('predict 1 row, log on', c);
		const off = at('predict 1 row, log off', c);
		return {
			connections: c,
			predictVsMe: round(on.rps / me.rps, 2),
			logP50CostPct: round(((on.p50Ms - off.p50Ms) / Math.max(off.p50Ms, 1)) * 100, 1)
		};
	});
	const text = [
		`${duration} s per cell; ${tokenCount} tokens round-robin. Model: MLP 20→64→64→3 with the app's preprocessing,`,
		'called as dataframe_records through POST /api/v1/models/<name>/predict (the champion alias).',
		'',
		table(
			['route', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'errors', '5xx', '429'],
			out.map((r) => [
				r.route,
				r.connections,
				r.rps,
				r.p50Ms,
				r.p99Ms,
				r.requests,
				r.errors,
				r.status5xx,
				r.status429
			])
		),
		'',
		table(
			['conns', 'predict 1 row ÷ me (req/s; goal ≥ 0.8)', 'log on vs off, p50 (goal ≤ 5%)'],
			summary.map((s) => [s.connections, `${s.predictVsMe}×`, `${s.logP50CostPct}%`])
		),
		'',
		`Log on vs off, one request at a time (${sequential.requests} each, alternating; p50 to 0.01 ms): ` +
			`on ${sequential.onP50Ms} ms, off ${sequential.offP50Ms} ms, cost ${sequential.costPct}% (goal ≤ 5%).`,
		'',
		`Bare onnxruntime-web in Node, 1 thread, session.run on encoded rows: 1 row ${bare[1].medianMs} ms` +
			` (${bare[1].perSecond}/s), 64 rows ${bare[64].medianMs} ms (${bare[64].perSecond}/s).`
	].join('\n');
	return {
		text,
		json: {
			durationS: duration,
			tokens: tokenCount,
			results: out,
			summary,
			sequentialLog: sequential,
			bareOrt: bare
		}
	};
}
