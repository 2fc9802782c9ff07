// bench:monitoring — model monitoring's cost (issue 13, speed), in three parts, none asserting a time:
//
// 1. Kernel, in Node (bench/monitoring/kernel.mjs): `--rows` logged predictions (default 1,000,000) × 20 numeric and 2
//    categorical inputs profiled into one window by the app's own code as the prediction log's object feeds one
//    (newWindow + rowOf + updateRow from workers/monitoring/windows.ts), and profileDrift against a reference built
//    as a train cell builds it (profileDataset over REFERENCE_SAMPLE rows); beside the bare equivalent on the same
//    numbers in the same run: sorted Float64Arrays and the exact normed Wasserstein-1 / KS / Jensen–Shannon on them.
//    5 of the 20 numeric features and one categorical are shifted; the two sides' answers are printed side by side.
// 2. Server, under `wrangler dev`: predict p50/p99 of one row with the log off (sample rate 0), the log on for a
//    version with no reference profile (its windows count latency only) and the log on for a version with a 20-feature
//    reference (uploaded with PUT …/versions/1/reference), one request at a time, alternating; then the same three at
//    8 connections (autocannon, `--duration` s each); then GET …/drift?window=hour|day after `--logged` more rows.
//    The log's work (the Durable Object's append, profiling included) runs after the answer (waitUntil, gathered
//    250 ms), so one request at a time shows only what it takes from the next request; 8 connections show it as
//    throughput, where the CPU is shared.
// 3. The monitoring page for 30 days of hourly windows × 20 features: not over HTTP, because the log object keys
//    windows by each record's `at` and the predict route stamps `at` with the present, so 720 past hours cannot be
//    filled through the API. Instead, in Node, the same rows as part 1 spread over 720 hours into 720 windows as the
//    object does, then the drift route's work on them after its SQLite read, the answer's JSON, and the page's
//    parse + monitorView. The SQLite read, the RPC, the HTTP hop and the charts' drawing are not in it.
import { createHash } from 'node:crypto';
import { api, mlp, spec } from './inference.mjs';
import { cell, figures } from './load.mjs';
import { intOption, percentile, median, round, table } from './lib.mjs';
import { importApp, kernel, page } from './monitoring/kernel.mjs';

const MODELS = { off: 'mon-log-off', noRef: 'mon-no-ref', ref: 'mon-ref' };
const LABELS = { off: 'log off', noRef: 'log on, no reference', ref: 'log on, 20-feature reference' };
const names = spec.features.map((f) => f.name);

function random(seed) {
	let s = seed >>> 0;
	return () => ((s = (s * 1664525 + 1013904223) >>> 0), s / 2 ** 32);
}

/** Rows like bench:inference's (uniform on [−2, 2), 3 decimals), `shift` added to x0…x4. */
function rows(n, seed, shift = 0) {
	const next = random(seed);
	return Array.from({ length: n }, () =>
		Object.fromEntries(names.map((k, i) => [k, round((next() - 0.5) * 4 + (i < 5 ? shift : 0), 3)]))
	);
}

/** A reference for the served model: its 20 inputs over 100,000 rows, its predicted class over 20,000. */
function servedReference(app) {
	const ref = rows(100_000, 99);
	const columns = Object.fromEntries(names.map((k) => [k, Float64Array.from(ref, (r) => r[k])]));
	const inputs = app.profileDataset(columns, { seed: 0 });
	const next = random(3);
	const predicted = Array.from({ length: 20_000 }, () => spec.target.classes[Math.floor(next() * 3)]);
	const prediction = app.profileDataset(
		{ [app.PREDICTION_FEATURE]: predicted },
		{ kinds: { [app.PREDICTION_FEATURE]: 'categorical' } }
	);
	return new app.ReferenceProfile(inputs, prediction).toJSON();
}

async function setup(app, url, adminToken) {
	const bytes = mlp();
	const sha = createHash('sha256').update(bytes).digest('hex');
	await api(url, adminToken, 'PUT', `/api/v1/blobs/${sha}`, bytes, 'application/octet-stream');
	for (const name of Object.values(MODELS)) {
		await api(url, adminToken, 'POST', '/api/v1/models', { name });
		const v = await api(url, adminToken, 'POST', `/api/v1/models/${name}/versions`, {
			artifactSha256: sha,
			signature: { preprocessing: spec }
		});
		await api(url, adminToken, 'PUT', `/api/v1/models/${name}/aliases/champion`, { version: v.version });
	}
	await api(url, adminToken, 'PUT', `/api/v1/models/${MODELS.off}/tags/edgebook.log.sample_rate`, {
		value: '0'
	});
	const reference = servedReference(app);
	const put = await api(
		url,
		adminToken,
		'PUT',
		`/api/v1/models/${MODELS.ref}/versions/1/reference`,
		reference
	);
	const tokens = [];
	for (let i = 0; i < 16; i++) {
		const t = await api(url, adminToken, 'POST', '/api/v1/tokens', {
			name: `monitoring-${i}`,
			scopes: ['read', 'predict']
		});
		tokens.push({ secret: t.secret });
	}
	return { tokens, referenceBytes: JSON.stringify(reference).length, referenceFeatures: put.features.length };
}

async function timedFetch(url, token, method, path, body) {
	const t0 = performance.now();
	const res = await fetch(`${url}${path}`, {
		method,
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	const text = await res.text();
	const ms = performance.now() - t0;
	if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
	return { ms, text };
}

const predictPath = (model) => `/api/v1/models/${model}/aliases/champion/predict`;

async function server(app, url, adminToken, { requests, logged, duration }) {
	const { tokens, referenceBytes, referenceFeatures } = await setup(app, url, adminToken);
	let t = 0;
	const token = () => tokens[t++ % tokens.length].secret;
	const sent = { off: 0, noRef: 0, ref: 0 };
	// Warm-up: ORT's wasm, each model's first call, the log object's first append (it loads the reference then).
	for (const k of Object.keys(MODELS)) {
		await timedFetch(url, token(), 'POST', predictPath(MODELS[k]), { rows: rows(1, 1) });
		sent[k]++;
	}
	await new Promise((r) => setTimeout(r, 1500));

	const pool = rows(requests * 3, 5);
	const samples = { off: [], noRef: [], ref: [] };
	const keys = Object.keys(MODELS);
	for (let i = 0; i < requests; i++)
		for (let j = 0; j < keys.length; j++) {
			const k = keys[(i + j) % keys.length];
			const { ms } = await timedFetch(url, token(), 'POST', predictPath(MODELS[k]), {
				rows: [pool[i * 3 + j]]
			});
			samples[k].push(ms);
			sent[k]++;
		}
	const sequential = keys.map((k) => ({
		model: k,
		label: LABELS[k],
		n: samples[k].length,
		p50Ms: round(median(samples[k]), 2),
		p99Ms: round(percentile(samples[k], 99), 2)
	}));

	const one = JSON.stringify({ rows: rows(1, 7) });
	const concurrent = [];
	for (const k of keys) {
		process.stdout.write(`  predict, ${LABELS[k]}, 8 connections, ${duration} s…\n`);
		const route = { method: 'POST', path: predictPath(MODELS[k]), body: () => one };
		const f = figures(LABELS[k], 8, await cell(url, route, tokens, 8, duration));
		concurrent.push(f);
		sent[k] += f.ok;
	}

	// `logged` more rows into the referenced model, 1,000 per request (the predict limit), shifted in x0…x4.
	process.stdout.write(`  logging ${logged} more rows, then GET …/drift…\n`);
	for (let i = 0; i < logged; i += 1000) {
		const n = Math.min(1000, logged - i);
		await timedFetch(url, token(), 'POST', predictPath(MODELS.ref), { rows: rows(n, 100 + i, 0.3) });
		sent.ref += n;
	}
	// The log gathers for 250 ms and appends after the answer: wait until the windows hold every logged row.
	const windowRows = async (model) => {
		const { text } = await timedFetch(url, adminToken, 'GET', `/api/v1/models/${model}/drift?window=hour`);
		return JSON.parse(text).windows.reduce((n, w) => n + w.rows, 0);
	};
	const deadline = Date.now() + 60_000;
	let seen = { ref: 0, noRef: 0 };
	while (Date.now() < deadline) {
		seen = { ref: await windowRows(MODELS.ref), noRef: await windowRows(MODELS.noRef) };
		if (seen.ref >= sent.ref && seen.noRef >= sent.noRef) break;
		await new Promise((r) => setTimeout(r, 500));
	}
	const drift = [];
	for (const [k, window] of [
		['ref', 'hour'],
		['ref', 'day'],
		['noRef', 'hour']
	]) {
		const times = [];
		let last = null;
		for (let i = 0; i < 15; i++) {
			const r = await timedFetch(url, token(), 'GET', `/api/v1/models/${MODELS[k]}/drift?window=${window}`);
			times.push(r.ms);
			last = r.text;
		}
		const report = JSON.parse(last);
		const w = report.windows.at(-1);
		drift.push({
			model: LABELS[k],
			window,
			n: times.length,
			medianMs: round(median(times), 2),
			p95Ms: round(percentile(times, 95), 2),
			answerBytes: last.length,
			windows: report.windows.length,
			rows: report.windows.reduce((n, x) => n + x.rows, 0),
			drifted: w ? `${w.drifted}/${w.features.length}` : '–'
		});
	}
	return { referenceBytes, referenceFeatures, sent, seen, sequential, concurrent, drift };
}

export async function run({ url, adminToken }) {
	const rowsN = intOption('monitoring', 'rows', 1_000_000);
	const requests = intOption('monitoring', 'requests', 300);
	const logged = intOption('monitoring', 'logged', 20_000);
	const duration = intOption('monitoring', 'duration', 10);
	const app = await importApp();

	// The server's part first: the kernel's parts block Node's event loop for a minute or more, and workerd closes a
	// keep-alive connection idle for 5 s, which fetch's pool would then reuse ("other side closed").
	process.stdout.write('  part 2: predict under wrangler dev…\n');
	const s = await server(app, url, adminToken, { requests, logged, duration });
	process.stdout.write(`  part 1: profiling ${rowsN} rows (the app's path, then bare)…\n`);
	const k = kernel(app, { rows: rowsN, referenceRows: app.REFERENCE_SAMPLE });
	const { compare, fmt, context, ...kernelJson } = k;
	process.stdout.write('  part 3: the same rows over 720 hourly windows…\n');
	const p = page(app, context);

	const M = (n) => `${round(n / 1e6, 2)} MB`;
	const rps = (ms) => Math.round(rowsN / (ms / 1000)).toLocaleString('en');
	const text = [
		`Part 1 — kernel in Node: ${rowsN.toLocaleString('en')} logged rows × 20 numeric + 2 categorical inputs` +
			` (the window also profiles the prediction and the latency), against a reference of` +
			` ${k.referenceRows.toLocaleString('en')} rows (REFERENCE_SAMPLE).`,
		'',
		table(
			['step', 'ms', 'rows/s'],
			[
				[
					`app: reference, profileDataset (${k.referenceRows.toLocaleString('en')} rows)`,
					k.app.referenceProfileMs,
					rps(k.app.referenceProfileMs * (rowsN / k.referenceRows))
				],
				['app: window, rowOf + updateRow per record', k.app.profileMs, rps(k.app.profileMs)],
				['app: profileDrift (23 features, from the profiles)', k.app.driftMs, '–'],
				[
					'bare: sort reference (20 Float64Array) + counts',
					k.bare.referenceSortMs,
					rps(k.bare.referenceSortMs * (rowsN / k.referenceRows))
				],
				['bare: sort current (20 Float64Array) + counts', k.bare.sortMs, rps(k.bare.sortMs)],
				['bare: exact normed Wasserstein ×20 + JS ×2', k.bare.wassersteinMs, '–'],
				['bare: exact KS ×20 (not needed for the answer)', k.bare.ksMs, '–']
			]
		),
		'',
		`Memory: the window's profile JSON ${M(k.app.windowJsonBytes)}, the reference's ${M(k.app.referenceJsonBytes)};` +
			` the raw numeric values bare drift holds: ${M(k.bare.rawBytes)} current (${rowsN}×20×8) +` +
			` ${M(k.referenceRows * 20 * 8)} reference.`,
		`App: ${k.app.drifted} drifted of 23, share ${k.app.share}, dataset drift ${k.app.datasetDrift}.` +
			` Both sides agree on ${k.agree} of ${k.compared} inputs.`,
		'',
		table(
			[
				'feature',
				'shift',
				'app test',
				'app score',
				'app drift',
				'bare exact',
				'bare drift',
				'bare KS D',
				'bare KS p'
			],
			compare.map((c) => [
				c.feature,
				c.shift || '–',
				c.appTest ?? '–',
				String(fmt(c.appScore)),
				String(c.appDrifted),
				String(fmt(c.bareScore)),
				String(c.bareDrifted),
				String(fmt(c.bareKsD)),
				String(fmt(c.bareKsP))
			])
		),
		'',
		`Part 2 — predict under wrangler dev, 1 row, MLP 20→64→64→3 (bench:inference's), ${requests} requests per` +
			' model one at a time, the three alternating; then 8 connections. Reference uploaded:' +
			` ${s.referenceFeatures} features, ${M(s.referenceBytes)} of JSON.`,
		'',
		table(
			['model', 'n', 'p50 ms', 'p99 ms'],
			s.sequential.map((r) => [r.label, r.n, r.p50Ms, r.p99Ms])
		),
		'',
		table(
			['8 connections', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'errors', '5xx', '429'],
			s.concurrent.map((r) => [
				r.route,
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
		`GET …/drift after ${s.sent.ref.toLocaleString('en')} logged rows into the referenced model` +
			` (${s.seen.ref.toLocaleString('en')} seen in its windows; ${logged.toLocaleString('en')} of them in` +
			` 1,000-row requests, x0…x4 shifted by +0.3) and ${s.sent.noRef.toLocaleString('en')} into the other` +
			` (${s.seen.noRef.toLocaleString('en')} seen)` +
			(s.seen.ref < s.sent.ref || s.seen.noRef < s.sent.noRef
				? '. WARNING: the windows did not reach the rows sent within 60 s (a workerd reload by wrangler dev' +
					' loses rows still gathering in the isolate): the drift times below are for the rows seen.'
				: '') +
			':',
		'',
		table(
			['model', 'window', 'n', 'median ms', 'p95 ms', 'answer bytes', 'windows', 'rows', 'drifted'],
			s.drift.map((d) => [
				d.model,
				d.window,
				d.n,
				d.medianMs,
				d.p95Ms,
				d.answerBytes,
				d.windows,
				d.rows,
				d.drifted
			])
		),
		'',
		`Part 3 — 30 days of hourly windows, in Node (no SQLite read, RPC, HTTP or drawing): part 1's rows into` +
			` ${p.windows} windows (~${p.rowsPerWindow} rows each, ${p.features} features compared) in ${p.profileMs} ms;` +
			` stored JSON ${M(p.storedBytes)}; the hourly answer ${M(p.answerBytes)}, ${p.heatCells} heat-map cells.` +
			` Medians of ${p.reps}:`,
		'',
		table(
			['step', 'ms'],
			[
				['route: JSON.parse + DatasetProfile.fromJSON ×720', p.medianMs.read],
				['route: driftWindows, window=hour (720 × profileDrift)', p.medianMs.hour],
				['route: driftWindows, window=day (30 merges of 24)', p.medianMs.day],
				['route: JSON.stringify of the hourly answer', p.medianMs.stringify],
				['page: JSON.parse of the answer', p.medianMs.parse],
				['page: monitorView(drift, [])', p.medianMs.view],
				['server-side total (parse + hour + stringify)', p.serverMs],
				['page-side total (parse + monitorView)', p.pageMs]
			]
		),
		'',
		`Hourly windows flagging each feature (of ${p.windows}): ` +
			Object.entries(p.flaggedPerFeature)
				.map(([f, n]) => `${f} ${n}`)
				.join(', ')
	].join('\n');
	return { text, json: { kernel: { ...kernelJson, compare }, page: p, server: s } };
}
