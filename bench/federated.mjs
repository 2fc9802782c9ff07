// bench:federated — federated aggregation in the job's Durable Object under `wrangler dev`, beside a bare
// Float32Array weighted sum of the same updates in Node, in one run. Four parts, none asserting a time:
//
// 1. For models of 10k, 100k and 1M float32 parameters (one Dense layer, made by hand as the notebook saves one): a
//    job of one round with `--clients` clients (default 10), each sending its update once, one at a time; reported:
//    updates/s and MB/s of accepted updates (the HTTP hop, the checks, the running float64 sum read and written in
//    the object's SQLite), the closing update's time (the average, the ONNX export of the new weights and the
//    version's publication), and the bare sum's updates/s and MB/s. Then a round's wall time with 100 clients of the
//    10k model sending 8 at a time.
// 2. Per update encoding (float32, float16, int8) for the 1M model: a job with that `updateEncoding`, the same
//    clients, each sending once, the three jobs' calls interleaved one by one (so a burst of other load falls on all
//    three); bytes per update, the object's ms, updates/s and MB/s (bytes on the wire), beside the bare weighted
//    sum (float32) or a bare decode + add the global model + weighted sum (float16, int8) in Node.
//    The bodies come from the app's own encoder: src/lib/ml/federated/quantize.ts bundled by esbuild (vite's) and
//    imported from memory, nothing reimplemented. float16/int8 bodies are the difference from the global model
//    (all zeros here: the version's weights.bin is zeros), float32 bodies the weights themselves.
// 3. Where a 1M update's time goes, as far as it can be seen from outside: the floor of any call into the job's
//    object (GET …/jobs/:id), the same update's bytes refused by the object at its first body-independent check
//    (a wrong `encoding` in the meta header: the HTTP hop, auth, the rate limiter, reading the body, the RPC into
//    the object and the client check, but no decode, no sum, no write), the accepted update, and the bare decode +
//    sum. What remains (accepted − refused − bare) is printed as an inference, not measured apart.
// 4. The object's memory as clients per round grow 10 → 100 → 1,000 (FedAvg, the 100k model, 8 updates in flight):
//    the VmRSS of the workerd that runs the Worker and its objects (wrangler 4 runs it beside a proxy workerd,
//    reported apart; bench/workerd.mjs finds both below the wrangler whose command line holds this run's persist
//    dir) before the round (clients registered, round open), its peak while
//    the round runs (polled every 50 ms, and VmHWM after a reset where /proc allows it) and after; the job's
//    Durable Object SQLite file and its -wal before and after. RSS is the whole workerd: every object and the Worker.
//    A round whose workerd was replaced under it (wrangler dev reloads on a source change) is run once more.
//    The requests of this part go through 16 `federate` tokens round-robin, or the per-token rate limit
//    (LIMITS.requestsPerMinute) would decide the figure.
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { api } from './inference.mjs';
import { intOption, median, round, table } from './lib.mjs';
import {
	filesMB,
	hwmMB,
	objectSqliteFiles,
	resetPeak,
	rssMB,
	sampleRss,
	workerdProcesses
} from './workerd.mjs';

const SIZES = [10_000, 100_000, 1_000_000];
const UNITS = 10;

function modelJson(inputs) {
	return JSON.stringify({
		format: 'layers-model',
		generatedBy: 'bench:federated',
		modelTopology: {
			class_name: 'Sequential',
			config: {
				name: 'bench',
				layers: [
					{
						class_name: 'Dense',
						config: {
							name: 'out',
							units: UNITS,
							activation: 'softmax',
							use_bias: true,
							batch_input_shape: [null, inputs]
						}
					}
				]
			}
		},
		weightsManifest: [
			{
				paths: ['weights.bin'],
				weights: [
					{ name: 'out/kernel', shape: [inputs, UNITS], dtype: 'float32' },
					{ name: 'out/bias', shape: [UNITS], dtype: 'float32' }
				]
			}
		]
	});
}

async function blob(url, token, bytes) {
	const sha = createHash('sha256').update(bytes).digest('hex');
	await api(url, token, 'PUT', `/api/v1/blobs/${sha}`, bytes, 'application/octet-stream');
	return sha;
}

/** A version whose run holds model.json and weights.bin of `params` parameters; answers the model's name. */
async function version(url, token, params) {
	const inputs = params / UNITS - 1;
	const name = `fed-bench-${params}`;
	const exp = await api(url, token, 'POST', '/api/v1/experiments', { name });
	const runId = `fedbench_${params}`;
	await api(url, token, 'POST', '/api/v1/runs', { id: runId, experimentId: exp.id, name: 'source' });
	for (const [file, bytes] of [
		['model.json', Buffer.from(modelJson(inputs))],
		['weights.bin', Buffer.alloc(params * 4)]
	])
		await api(url, token, 'POST', `/api/v1/runs/${runId}/artifacts`, {
			name: file,
			sha256: await blob(url, token, bytes)
		});
	await api(url, token, 'POST', '/api/v1/models', { name });
	await api(url, token, 'POST', `/api/v1/models/${name}/versions`, { sourceRunId: runId });
	return name;
}

const ENCODINGS = ['float32', 'float16', 'int8'];
const MEMORY_CLIENTS = [10, 100, 1000];
const MEMORY_PARAMS = 100_000;
const POOL = 16;

/** A TypeScript module of the app, bundled by esbuild in memory and imported from a data: URL. */
async function importTs(relative) {
	const out = await build({
		entryPoints: [fileURLToPath(new URL(relative, import.meta.url))],
		bundle: true,
		format: 'esm',
		platform: 'neutral',
		write: false,
		logLevel: 'silent'
	});
	return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

/** POSTs one update; answers the status (202 unless `expect` says otherwise, else it throws). */
async function send(url, token, jobId, client, bytes, numExamples, encoding = 'float32', expect = 202) {
	const res = await fetch(`${url}/api/v1/federated/jobs/${jobId}/updates`, {
		method: 'POST',
		headers: {
			authorization: `Bearer ${token}`,
			'content-type': 'application/octet-stream',
			'x-edgebook-fed-client': `${client.clientId}.${client.secret}`,
			'x-edgebook-fed-meta': JSON.stringify({ round: 1, numExamples, encoding })
		},
		body: bytes
	});
	const text = await res.text();
	if (res.status !== expect) throw new Error(`update → ${res.status} (expected ${expect}) ${text}`);
	return res.status;
}

/** Runs `fn(i)` for i in 0…n−1, `width` at a time. */
async function inParallel(n, width, fn) {
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(width, n) }, async () => {
			while (next < n) await fn(next++);
		})
	);
}

/**
 * A job of one round that opens when all `clients` have registered; registration goes `width` at a time, the
 * i-th through tokens[i % tokens.length].
 */
async function job(url, token, modelName, clients, extra = {}, tokens = [token], width = 1) {
	const j = await api(url, token, 'POST', '/api/v1/federated/jobs', {
		modelName,
		version: 1,
		rounds: 1,
		minFitClients: clients,
		minAvailableClients: clients,
		...extra
	});
	const joined = new Array(clients);
	await inParallel(clients, width, async (i) => {
		joined[i] = await api(url, tokens[i % tokens.length], 'POST', `/api/v1/federated/jobs/${j.id}/clients`);
	});
	return { id: j.id, clients: joined };
}

const updateOf = (params, scale = 1) => {
	const w = new Float32Array(params);
	const bytes = randomBytes(params);
	for (let i = 0; i < params; i++) w[i] = (bytes[i] / 255 - 0.5) * scale;
	return w;
};

function bareSum(updates, counts) {
	const sum = new Float64Array(updates[0].length);
	const t0 = performance.now();
	updates.forEach((w, k) => {
		const n = counts[k];
		for (let i = 0; i < sum.length; i++) sum[i] += w[i] * n;
	});
	return performance.now() - t0;
}

/** The object's work on an encoded body, bare: decode (the app's decoder), add the global model back, weighted sum. */
function bareDecodeSum(decodeUpdate, encoded, counts, encoding, global) {
	const sum = new Float64Array(global.length);
	const t0 = performance.now();
	encoded.forEach((bytes, k) => {
		const w = decodeUpdate(bytes, encoding, global.length);
		const n = counts[k];
		for (let i = 0; i < sum.length; i++) sum[i] += (w[i] + global[i]) * n;
	});
	return performance.now() - t0;
}

function bareDecode(decodeUpdate, encoded, encoding, n) {
	const t0 = performance.now();
	for (const bytes of encoded) decodeUpdate(bytes, encoding, n);
	return performance.now() - t0;
}

const best = (fn) => Math.min(fn(), fn(), fn());

/**
 * Part 2 and 3: a job per encoding for the 1M model; the floor, the refused body and the accepted update. The three
 * jobs' calls are interleaved (float32, float16, int8, float32, …), so a burst of other load on the machine falls
 * on all three alike rather than on one job's whole run.
 */
async function encodings(url, adminToken, clients, quantize) {
	const params = SIZES.at(-1);
	const model = `fed-bench-${params}`;
	const global = new Float32Array(params); // the version's weights.bin: zeros
	const deltas = Array.from({ length: clients }, () => updateOf(params, 0.02));
	const counts = deltas.map((_, k) => 10 + k);
	const jobs = [];
	for (const encoding of ENCODINGS) {
		// float32 sends the new weights (global + delta = delta here); the others send the encoded delta.
		const bodies = deltas.map((d) =>
			encoding === 'float32' ? new Uint8Array(d.buffer) : quantize.encodeUpdate(d, encoding).bytes
		);
		if (bodies[0].byteLength !== quantize.encodedBytes(params, encoding))
			throw new Error(
				`${encoding}: ${bodies[0].byteLength} bytes, expected ${quantize.encodedBytes(params, encoding)}`
			);
		const { id, clients: joined } = await job(url, adminToken, model, clients, { updateEncoding: encoding });
		// The same bytes labelled with another encoding: the object refuses them before it decodes anything.
		const wrong = ENCODINGS.find((e) => e !== encoding);
		jobs.push({ encoding, bodies, id, joined, wrong, floor: [], refused: [], times: [] });
	}
	const timed = async (samples, fn) => {
		const t0 = performance.now();
		await fn();
		samples.push(performance.now() - t0);
	};
	for (let i = 0; i < 5; i++)
		for (const j of jobs) {
			await timed(j.floor, () => api(url, adminToken, 'GET', `/api/v1/federated/jobs/${j.id}`));
			await timed(j.refused, () =>
				send(url, adminToken, j.id, j.joined[0], j.bodies[0], counts[0], j.wrong, 400)
			);
		}
	for (let k = 0; k < clients; k++)
		for (const j of jobs)
			await timed(j.times, () =>
				send(url, adminToken, j.id, j.joined[k], j.bodies[k], counts[k], j.encoding)
			);

	const rows = [];
	for (const { encoding, bodies, id, wrong, floor, refused, times } of jobs) {
		const state = await api(url, adminToken, 'GET', `/api/v1/federated/jobs/${id}`);
		if (state.state !== 'done') throw new Error(`job ${id} (${encoding}) is ${state.state}: ${state.error}`);
		const perUpdate = median(times.slice(0, -1));
		const bareMs =
			(encoding === 'float32'
				? best(() => bareSum(deltas, counts))
				: best(() => bareDecodeSum(quantize.decodeUpdate, bodies, counts, encoding, global))) / clients;
		const decodeMs =
			encoding === 'float32'
				? 0
				: best(() => bareDecode(quantize.decodeUpdate, bodies, encoding, params)) / clients;
		const bytes = bodies[0].byteLength;
		const mb = bytes / 1e6;
		rows.push({
			encoding,
			params,
			bytesPerUpdate: bytes,
			bytesRatio: round(bytes / (params * 4), 3),
			objectMsPerUpdate: round(perUpdate, 2),
			objectUpdatesPerS: round(1000 / perUpdate, 1),
			objectMBPerS: round((mb * 1000) / perUpdate, 1),
			closingUpdateMs: round(times.at(-1), 1),
			bareMsPerUpdate: round(bareMs, 3),
			bareDecodeMsPerUpdate: round(decodeMs, 3),
			ratio: round(bareMs / perUpdate, 3),
			floorMs: round(median(floor), 2),
			refusedMs: round(median(refused), 2),
			refusedAs: wrong
		});
	}
	return rows;
}

/** Part 4: one round of `clients` clients of the 100k model; workerd's RSS and the object's SQLite around it. */
async function memoryRound(url, adminToken, tokens, persistTo, clients) {
	const model = `fed-bench-${MEMORY_PARAMS}`;
	const known = new Set(objectSqliteFiles(persistTo, 'FederatedJob'));
	const t0 = performance.now();
	const { id, clients: joined } = await job(
		url,
		adminToken,
		model,
		clients,
		{ roundDeadlineS: 3600 },
		tokens,
		16
	);
	const registerMs = performance.now() - t0;
	const open = await api(url, adminToken, 'GET', `/api/v1/federated/jobs/${id}`);
	if (open.state !== 'round_open' || open.sampled !== clients)
		throw new Error(`job ${id}: ${open.state}, ${open.sampled} sampled of ${clients}`);
	const mains = objectSqliteFiles(persistTo, 'FederatedJob').filter(
		(f) => !known.has(f) && f.endsWith('.sqlite')
	);
	const wals = mains.map((f) => `${f}-wal`);
	const sqliteBefore = filesMB(mains);
	const walBefore = filesMB(wals);
	const procs = workerdProcesses(persistTo);
	// The runtime holds the objects; should the roles not be told apart, every workerd counts as the runtime.
	const runtime = procs.filter((p) => p.role === 'runtime');
	const pids = (runtime.length ? runtime : procs).map((p) => p.pid);
	const proxy = runtime.length ? procs.filter((p) => p.role === 'proxy').map((p) => p.pid) : [];
	const hwmReset = pids.length > 0 && resetPeak(pids);
	const before = pids.length ? rssMB(pids) : NaN;
	const proxyBefore = proxy.length ? rssMB(proxy) : NaN;
	const sampler = pids.length ? sampleRss(pids, 50) : null;
	const proxySampler = proxy.length ? sampleRss(proxy, 50) : null;
	const update = Buffer.from(updateOf(MEMORY_PARAMS).buffer);
	const t1 = performance.now();
	await inParallel(clients, 8, (k) => send(url, tokens[k % tokens.length], id, joined[k], update, 5));
	const wallMs = performance.now() - t1;
	const polled = sampler?.stop() ?? { peakMB: NaN, samples: 0, lost: false };
	const proxyPolled = proxySampler?.stop() ?? { peakMB: NaN, samples: 0, lost: false };
	// wrangler dev reloads (a new workerd) when a source file changes: others edit this tree while it runs.
	const restarted = polled.lost || proxyPolled.lost;
	const hwm = hwmReset && !restarted ? hwmMB(pids) : null;
	const after = pids.length ? rssMB(pids) : NaN;
	const done = await api(url, adminToken, 'GET', `/api/v1/federated/jobs/${id}`);
	if (done.state !== 'done') throw new Error(`job ${id} is ${done.state}: ${done.error}`);
	return {
		clients,
		params: MEMORY_PARAMS,
		workerd: procs,
		workerdRestarted: restarted,
		registerMs: round(registerMs, 0),
		rssBeforeMB: round(before, 1),
		rssPeakMB: round(polled.peakMB, 1),
		rssPeakSamples: polled.samples,
		rssHwmMB: hwm === null ? null : round(hwm, 1),
		rssAfterMB: round(after, 1),
		proxyRssBeforeMB: round(proxyBefore, 1),
		proxyRssPeakMB: round(proxyPolled.peakMB, 1),
		sqliteFiles: mains.length,
		sqliteBeforeMB: mains.length ? round(sqliteBefore, 2) : null,
		sqliteAfterMB: mains.length ? round(filesMB(mains), 2) : null,
		walBeforeMB: mains.length ? round(walBefore, 2) : null,
		walAfterMB: mains.length ? round(filesMB(wals), 2) : null,
		wallMs: round(wallMs, 0),
		completed: done.history[0]?.completed ?? 0
	};
}

const runtimeOf = (m) =>
	m.workerd
		.filter((p) => p.role === 'runtime')
		.map((p) => p.pid)
		.join(', ') || 'not found';

const dash = (x) => (x === null || Number.isNaN(x) ? '–' : x);

export async function run({ url, adminToken, persistTo }) {
	const clients = intOption('federated', 'clients', 10);
	const quantize = await importTs('../src/lib/ml/federated/quantize.ts');
	const rows = [];
	for (const params of SIZES) {
		const model = await version(url, adminToken, params);
		const { id, clients: joined } = await job(url, adminToken, model, clients);
		const updates = Array.from({ length: clients }, () => updateOf(params));
		const counts = updates.map((_, k) => 10 + k);
		const times = [];
		for (let k = 0; k < clients; k++) {
			const t0 = performance.now();
			await send(url, adminToken, id, joined[k], Buffer.from(updates[k].buffer), counts[k]);
			times.push(performance.now() - t0);
		}
		const state = await api(url, adminToken, 'GET', `/api/v1/federated/jobs/${id}`);
		if (state.state !== 'done') throw new Error(`job ${id} is ${state.state}: ${state.error}`);
		const accepted = times.slice(0, -1);
		const perUpdate = median(accepted);
		const bareMs = best(() => bareSum(updates, counts)) / clients;
		const mb = (params * 4) / 1e6;
		rows.push({
			params,
			updateMB: round(mb, 2),
			objectMsPerUpdate: round(perUpdate, 2),
			objectUpdatesPerS: round(1000 / perUpdate, 1),
			objectMBPerS: round((mb * 1000) / perUpdate, 1),
			closingUpdateMs: round(times.at(-1), 1),
			bareMsPerUpdate: round(bareMs, 3),
			bareUpdatesPerS: round(1000 / bareMs, 0),
			bareMBPerS: round((mb * 1000) / bareMs, 0),
			ratio: round(bareMs / perUpdate, 3)
		});
	}

	// A round's wall time with 100 clients of the 10k model, 8 sending at once.
	const many = 100;
	const model = `fed-bench-${SIZES[0]}`;
	const { id, clients: joined } = await job(url, adminToken, model, many);
	const update = Buffer.from(updateOf(SIZES[0]).buffer);
	const t0 = performance.now();
	await inParallel(many, 8, (k) => send(url, adminToken, id, joined[k], update, 5));
	const wallMs = performance.now() - t0;
	const state = await api(url, adminToken, 'GET', `/api/v1/federated/jobs/${id}`);

	const enc = await encodings(url, adminToken, clients, quantize);

	const tokens = [];
	for (let i = 0; i < POOL; i++)
		tokens.push(
			(await api(url, adminToken, 'POST', '/api/v1/tokens', { name: `fed-bench-${i}`, scopes: ['federate'] }))
				.secret
		);
	// wrangler dev replaces workerd when a source file changes (others may edit the tree meanwhile): a round whose
	// workerd was replaced under it is run once more on a new job, and both are kept in the JSON.
	const memory = [];
	const discarded = [];
	let lastPid = null;
	for (const n of MEMORY_CLIENTS) {
		let m = await memoryRound(url, adminToken, tokens, persistTo, n);
		if (m.workerdRestarted) {
			discarded.push(m);
			m = await memoryRound(url, adminToken, tokens, persistTo, n);
		}
		const pid = runtimeOf(m);
		m.workerdState = m.workerdRestarted ? 'restarted' : lastPid !== null && pid !== lastPid ? 'new' : 'same';
		lastPid = pid;
		memory.push(m);
	}

	const f32 = enc.find((r) => r.encoding === 'float32');
	const fixed = rows[0].objectMsPerUpdate;
	const breakdown = enc.map((r) => ({
		encoding: r.encoding,
		bytes: r.bytesPerUpdate,
		floorMs: r.floorMs,
		refusedMs: r.refusedMs,
		acceptedMs: r.objectMsPerUpdate,
		bareMs: r.bareMsPerUpdate,
		pastCheckMs: round(r.objectMsPerUpdate - r.refusedMs, 2),
		remainderMs: round(r.objectMsPerUpdate - r.refusedMs - r.bareMsPerUpdate, 2)
	}));
	const rss = memory.map((m) => m.rssPeakMB - m.rssBeforeMB);

	const text = [
		`${clients} clients per job, one update each, one at a time; the last update closes the round (average, ONNX export, version).`,
		'object = POST …/updates under wrangler dev (HTTP, checks, the float64 running sum read and written in the DO SQLite);',
		'bare = a Float32Array × count added into a Float64Array in Node, same updates. ratio = object updates/s ÷ bare.',
		'',
		table(
			[
				'params',
				'MB/update',
				'object ms',
				'object upd/s',
				'object MB/s',
				'closing ms',
				'bare ms',
				'bare upd/s',
				'bare MB/s',
				'ratio'
			],
			rows.map((r) => [
				r.params,
				r.updateMB,
				r.objectMsPerUpdate,
				r.objectUpdatesPerS,
				r.objectMBPerS,
				r.closingUpdateMs,
				r.bareMsPerUpdate,
				r.bareUpdatesPerS,
				r.bareMBPerS,
				`${r.ratio}×`
			])
		),
		'',
		`A round with ${many} clients of the ${SIZES[0]}-parameter model, 8 sending at once: ${round(wallMs / 1000, 2)} s from the first update to the version (job ${state.state}, ${state.history[0]?.completed ?? 0} updates).`,
		'',
		`Update encodings, ${f32.params} parameters, ${clients} clients, one update each, one at a time, the three jobs interleaved`,
		`(median of the ${clients - 1} before the closing one).`,
		'bytes = the body on the wire; MB/s = those bytes. bare = Float32Array weighted sum (float32), or the app’s decodeUpdate',
		'+ the global model added back + the weighted sum (float16, int8), in Node. ratio = bare ms ÷ object ms.',
		'',
		table(
			[
				'encoding',
				'bytes/update',
				'vs float32',
				'object ms',
				'object upd/s',
				'object MB/s',
				'closing ms',
				'bare ms',
				'bare decode ms',
				'ratio'
			],
			enc.map((r) => [
				r.encoding,
				r.bytesPerUpdate,
				`${r.bytesRatio}×`,
				r.objectMsPerUpdate,
				r.objectUpdatesPerS,
				r.objectMBPerS,
				r.closingUpdateMs,
				r.bareMsPerUpdate,
				r.bareDecodeMsPerUpdate,
				`${r.ratio}×`
			])
		),
		'',
		`Where a ${f32.params}-parameter update's time goes (medians, ms). floor = GET …/jobs/:id (HTTP, auth, rate limiter, one`,
		'call into the object, SQL reads); refused = the same body labelled with another encoding, refused by the object',
		'after reading it (the hop with the bytes, the client check; no decode, sum or write); accepted = as above;',
		'past check = accepted − refused; remainder = past check − bare (decode + sum in Node).',
		'',
		table(
			['encoding', 'bytes', 'floor', 'refused', 'accepted', 'past check', 'bare', 'remainder'],
			breakdown.map((b) => [
				b.encoding,
				b.bytes,
				b.floorMs,
				b.refusedMs,
				b.acceptedMs,
				b.pastCheckMs,
				b.bareMs,
				b.remainderMs
			])
		),
		'',
		`The ${SIZES[0]}-parameter float32 update took ${fixed} ms in the object: the per-update cost that does not grow with the model.`,
		`This run: refused − floor ${breakdown.map((b) => `${round(b.refusedMs - b.floorMs, 1)} ms (${b.encoding})`).join(', ')};`,
		`remainder ${Math.min(...breakdown.map((b) => b.remainderMs))}–${Math.max(...breakdown.map((b) => b.remainderMs))} ms across the encodings.`,
		'Inference, not measured apart: "refused − floor" is what moving the body costs (wrangler’s proxy, the Worker, the RPC);',
		'the remainder is work in the object that the bare loop does not do — in the code, for every encoding the 8 MB',
		'float64 sum serialised and written to SQLite per update (plus, for float16 and int8, the 4 MB global model read',
		'back from SQLite; for float32, the body copied and checked) — so fewer bytes on the wire shorten the hop, not that.',
		'',
		`Memory: FedAvg, the ${MEMORY_PARAMS}-parameter model, one round, 8 updates in flight, ${POOL} tokens round-robin.`,
		`RSS = VmRSS of the workerd that runs the Worker and its objects (pid ${runtimeOf(memory[0])}; wrangler's proxy workerd`,
		'in front of it apart: proxy), MB; peak polled every 50 ms',
		'(hwm = VmHWM after a reset at the round’s start, where /proc allowed it); sqlite / wal = the job object’s SQLite file and its -wal, MB.',
		'',
		table(
			[
				'clients',
				'RSS before',
				'RSS peak',
				'RSS hwm',
				'RSS after',
				'peak − before',
				'proxy before',
				'proxy peak',
				'sqlite before',
				'sqlite after',
				'wal before',
				'wal after',
				'register s',
				'round wall s',
				'workerd'
			],
			memory.map((m, i) => [
				m.clients,
				dash(m.rssBeforeMB),
				dash(m.rssPeakMB),
				dash(m.rssHwmMB),
				dash(m.rssAfterMB),
				dash(round(rss[i], 1)),
				dash(m.proxyRssBeforeMB),
				dash(m.proxyRssPeakMB),
				dash(m.sqliteBeforeMB),
				dash(m.sqliteAfterMB),
				dash(m.walBeforeMB),
				dash(m.walAfterMB),
				round(m.registerMs / 1000, 2),
				round(m.wallMs / 1000, 2),
				m.workerdState
			])
		),
		'',
		'The running sum is the model’s size (float64), whatever the number of clients: the goal is a flat peak − before.',
		'RSS is the whole workerd (every object, the Worker, its caches), so it also moves for reasons unrelated to the round;',
		'workerd: "same" as the row above; "new": replaced between rounds (wrangler dev reloads on a source change), so',
		'this row starts from a fresh, still warming process; "restarted": replaced during the round, RSS not comparable',
		`(a round so hit is run once more; ${discarded.length} such in this run, kept in the JSON as memoryDiscarded).`
	].join('\n');
	return {
		text,
		json: {
			clients,
			results: rows,
			round100: { clients: many, wallMs: round(wallMs, 0), state: state.state },
			encodings: enc,
			breakdown: { fixedMsPerUpdate10k: fixed, rows: breakdown },
			memory,
			memoryDiscarded: discarded
		}
	};
}
