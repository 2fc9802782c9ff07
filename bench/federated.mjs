// bench:federated — federated aggregation in the job's Durable Object under `wrangler dev`, beside a bare
// Float32Array weighted sum of the same updates in Node, in one run. For models of 10k, 100k and 1M float32
// parameters (one Dense layer, made by hand as the notebook saves one): a job of one round with `--clients` clients
// (default 10), each sending its update once, one at a time; reported: updates/s and MB/s of accepted updates (the
// HTTP hop, the checks, the running float64 sum read and written in the object's SQLite), the closing update's time
// (the average, the ONNX export of the new weights and the version's publication), and the bare sum's updates/s and
// MB/s. Then a round's wall time with 100 clients of the 10k model sending 8 at a time. Never asserts a time.
import { createHash, randomBytes } from 'node:crypto';
import { api } from './inference.mjs';
import { intOption, median, round, table } from './lib.mjs';

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

async function send(url, token, jobId, client, bytes, numExamples) {
	const res = await fetch(`${url}/api/v1/federated/jobs/${jobId}/updates`, {
		method: 'POST',
		headers: {
			authorization: `Bearer ${token}`,
			'content-type': 'application/octet-stream',
			'x-edgebook-fed-client': `${client.clientId}.${client.secret}`,
			'x-edgebook-fed-meta': JSON.stringify({ round: 1, numExamples })
		},
		body: bytes
	});
	if (res.status !== 202) throw new Error(`update → ${res.status} ${await res.text()}`);
}

async function job(url, token, modelName, clients) {
	const j = await api(url, token, 'POST', '/api/v1/federated/jobs', {
		modelName,
		version: 1,
		rounds: 1,
		minFitClients: clients,
		minAvailableClients: clients
	});
	const joined = [];
	for (let i = 0; i < clients; i++)
		joined.push(await api(url, token, 'POST', `/api/v1/federated/jobs/${j.id}/clients`));
	return { id: j.id, clients: joined };
}

const updateOf = (params) => {
	const w = new Float32Array(params);
	const bytes = randomBytes(params);
	for (let i = 0; i < params; i++) w[i] = bytes[i] / 255 - 0.5;
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

export async function run({ url, adminToken }) {
	const clients = intOption('federated', 'clients', 10);
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
		const bareMs = Math.min(...[0, 1, 2].map(() => bareSum(updates, counts))) / clients;
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
	let next = 0;
	await Promise.all(
		Array.from({ length: 8 }, async () => {
			while (next < many) {
				const k = next++;
				await send(url, adminToken, id, joined[k], update, 5);
			}
		})
	);
	const wallMs = performance.now() - t0;
	const state = await api(url, adminToken, 'GET', `/api/v1/federated/jobs/${id}`);

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
		`A round with ${many} clients of the ${SIZES[0]}-parameter model, 8 sending at once: ${round(wallMs / 1000, 2)} s from the first update to the version (job ${state.state}, ${state.history[0]?.completed ?? 0} updates).`
	].join('\n');
	return {
		text,
		json: {
			clients,
			results: rows,
			round100: { clients: many, wallMs: round(wallMs, 0), state: state.state }
		}
	};
}
