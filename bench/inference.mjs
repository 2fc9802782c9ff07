// bench:inference — the edge inference API against bare onnxruntime-web on the same model, in one run.
// The model is the reference MLP (20 → 64 → 64 → 3, relu, softmax) written with onnx-proto, with a
// preprocessing spec of 20 standardised numeric features. The app's side: POST …/aliases/champion/predict with raw
// JSON rows (the Worker parses, validates, encodes with the app's preprocessing, runs ORT in workerd, decodes
// labels). The bare side: ORT's session.run in Node on already-encoded Float32 rows, single-threaded, as in the
// Worker. The ratio says what the HTTP hop, JSON and encoding cost on top of the graph itself.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { median, percentile, round, table } from './lib.mjs';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto');

const F = 20;
const H = 64;
const K = 3;
const BATCHES = [1, 64, 1000];
const REPEATS = { 1: 200, 64: 100, 1000: 30 };

function random(seed) {
	let s = seed >>> 0;
	return () => ((s = (s * 1664525 + 1013904223) >>> 0), s / 2 ** 32);
}

export function mlp() {
	const next = random(7);
	const FLOAT = onnx.TensorProto.DataType.FLOAT;
	const t = (name, dims) =>
		onnx.TensorProto.create({
			name,
			dims,
			dataType: FLOAT,
			floatData: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (next() - 0.5) * 0.6)
		});
	const io = (name, w) =>
		onnx.ValueInfoProto.create({
			name,
			type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: w }] } } }
		});
	const node = (opType, input, output) => onnx.NodeProto.create({ opType, input, output });
	const model = onnx.ModelProto.create({
		irVersion: 8,
		producerName: 'edgebook-bench',
		opsetImport: [{ domain: '', version: 17 }],
		graph: {
			name: 'mlp',
			node: [
				node('Gemm', ['features', 'W1', 'B1'], ['h1']),
				node('Relu', ['h1'], ['a1']),
				node('Gemm', ['a1', 'W2', 'B2'], ['h2']),
				node('Relu', ['h2'], ['a2']),
				node('Gemm', ['a2', 'W3', 'B3'], ['logits']),
				node('Softmax', ['logits'], ['output'])
			],
			initializer: [
				t('W1', [F, H]),
				t('B1', [H]),
				t('W2', [H, H]),
				t('B2', [H]),
				t('W3', [H, K]),
				t('B3', [K])
			],
			input: [io('features', F)],
			output: [io('output', K)]
		}
	});
	return onnx.ModelProto.encode(model).finish();
}

const names = Array.from({ length: F }, (_, i) => `x${i}`);
export const spec = {
	version: 1,
	features: names.map((name) => ({ name, kind: 'numeric', mean: 0, std: 1, impute: 0 })),
	target: { name: 'y', task: 'multiclass', classes: ['a', 'b', 'c'] },
	width: F
};

export function rowsOf(n, seed) {
	const next = random(seed);
	return Array.from({ length: n }, () =>
		Object.fromEntries(names.map((k) => [k, round((next() - 0.5) * 4, 3)]))
	);
}

export async function api(url, token, method, path, body, type = 'application/json') {
	const res = await fetch(`${url}${path}`, {
		method,
		headers: { authorization: `Bearer ${token}`, 'content-type': type },
		body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body
	});
	if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
	return res.json().catch(() => null);
}

async function timed(n, fn) {
	const samples = [];
	for (let i = 0; i < n; i++) {
		const t0 = performance.now();
		await fn(i);
		samples.push(performance.now() - t0);
	}
	return samples;
}

export async function run({ url, adminToken }) {
	const bytes = mlp();
	const sha = createHash('sha256').update(bytes).digest('hex');
	await api(url, adminToken, 'PUT', `/api/v1/blobs/${sha}`, bytes, 'application/octet-stream');
	await api(url, adminToken, 'POST', '/api/v1/models', { name: 'bench-mlp' });
	const v = await api(url, adminToken, 'POST', '/api/v1/models/bench-mlp/versions', {
		artifactSha256: sha,
		signature: { preprocessing: spec }
	});
	await api(url, adminToken, 'PUT', '/api/v1/models/bench-mlp/aliases/champion', { version: v.version });
	const predict = (rows) =>
		api(url, adminToken, 'POST', '/api/v1/models/bench-mlp/aliases/champion/predict', { rows });

	const cold = await timed(1, () => predict(rowsOf(1, 1)));
	// The floor of any request here: wrangler dev's local hop and auth, no D1 (GET /api/v1/me).
	const floor = median(
		await timed(50, async () => {
			const r = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${adminToken}` } });
			await r.arrayBuffer();
		})
	);

	const ort = await import('onnxruntime-web/wasm');
	ort.env.wasm.numThreads = 1;
	const session = await ort.InferenceSession.create(bytes);

	const out = [];
	for (const n of BATCHES) {
		const rows = rowsOf(n, n);
		const encoded = Float32Array.from(rows.flatMap((r) => names.map((k) => r[k])));
		// Warm both sides, then alternate so background load falls on both alike.
		await predict(rows);
		await session.run({ features: new ort.Tensor('float32', encoded, [n, F]) });
		const app = [];
		const bare = [];
		for (let i = 0; i < REPEATS[n]; i++) {
			app.push(...(await timed(1, () => predict(rows))));
			bare.push(
				...(await timed(1, () => session.run({ features: new ort.Tensor('float32', encoded, [n, F]) })))
			);
		}
		const appMs = median(app);
		const bareMs = median(bare);
		out.push({
			rows: n,
			appMs: round(appMs, 2),
			appP95: round(percentile(app, 95), 2),
			bareMs: round(bareMs, 3),
			appRowsPerS: Math.round((n / appMs) * 1000),
			bareRowsPerS: Math.round((n / bareMs) * 1000),
			ratio: round(bareMs / appMs, 3)
		});
	}
	await session.release();

	const text = [
		`Model: MLP ${F}→${H}→${H}→${K} (relu, softmax); first prediction after the server started (loads ORT's wasm): ${round(cold[0], 0)} ms.`,
		'app = POST …/aliases/champion/predict with raw JSON rows (HTTP, validation, encoding, ORT in workerd, labels);',
		'bare = onnxruntime-web session.run in Node on encoded Float32 rows, 1 thread. Medians; ratio = rows/s app ÷ bare.',
		`Floor of any request to wrangler dev here (GET /api/v1/me: local hop + auth, no D1): ${round(floor, 1)} ms.`,
		'',
		table(
			['rows/request', 'app ms', 'app p95', 'bare ms', 'app rows/s', 'bare rows/s', 'app ÷ bare'],
			out.map((r) => [r.rows, r.appMs, r.appP95, r.bareMs, r.appRowsPerS, r.bareRowsPerS, `${r.ratio}×`])
		)
	].join('\n');
	return {
		text,
		json: { model: { F, H, K }, coldMs: round(cold[0], 1), floorMs: round(floor, 2), results: out }
	};
}
