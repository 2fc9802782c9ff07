// The registry and federated HTTP calls the sim makes, as a browser makes them (src/lib/federated/protocol.ts):
// a version registered by hand like the notebook's (experiment, run, blobs, artifacts, model, version), a job, and
// the participant's protocol — register, GET task, GET weights (float32 LE), POST update (octet-stream, meta JSON in
// x-edgebook-fed-meta, identity in x-edgebook-fed-client).
import { createHash } from 'node:crypto';

export class HttpError extends Error {
	constructor(method, path, status, body) {
		super(`${method} ${path} → ${status} ${body}`);
		this.status = status;
		this.body = body;
	}
}

export function client(url, token) {
	async function call(method, path, { json, bytes, headers = {}, as = 'json' } = {}, attempt = 0) {
		let res;
		try {
			res = await fetch(`${url}${path}`, {
				signal: AbortSignal.timeout(60_000),
				method,
				headers: {
					authorization: `Bearer ${token}`,
					...(json !== undefined ? { 'content-type': 'application/json' } : {}),
					...(bytes !== undefined ? { 'content-type': 'application/octet-stream' } : {}),
					...headers
				},
				body: json !== undefined ? JSON.stringify(json) : bytes
			});
		} catch (e) {
			// Seen under wrangler dev with many requests at once: a dropped connection (EPIPE) or no answer at all.
			// Reads are retried; a write is not (the server may have taken it).
			if (method !== 'GET' || attempt >= 2) throw e;
			return call(method, path, { json, bytes, headers, as }, attempt + 1);
		}
		// The registry limits each token's requests a minute: wait as it says, a few times.
		if (res.status === 429 && attempt < 5) {
			const wait = Number(res.headers.get('retry-after') ?? 1);
			await res.arrayBuffer();
			await new Promise((r) => setTimeout(r, Math.max(1, wait) * 1000));
			return call(method, path, { json, bytes, headers, as }, attempt + 1);
		}
		if (!res.ok) throw new HttpError(method, path, res.status, await res.text());
		if (as === 'bytes') return new Uint8Array(await res.arrayBuffer());
		return res.json().catch(() => null);
	}
	const who = (c) => ({ 'x-edgebook-fed-client': `${c.clientId}.${c.secret}` });
	const job = (id, rest = '') => `/api/v1/federated/jobs/${id}${rest}`;
	return {
		call,
		async blob(bytes) {
			const sha = createHash('sha256').update(bytes).digest('hex');
			await call('PUT', `/api/v1/blobs/${sha}`, { bytes });
			return sha;
		},
		/** A model version whose source run holds model.json, weights.bin (and preprocessing.json when given). */
		async registerVersion(name, files) {
			const exp = await call('POST', '/api/v1/experiments', { json: { name } });
			const runId = `fedsim_${name.replace(/[^a-z0-9]/gi, '_')}`;
			await call('POST', '/api/v1/runs', {
				json: { id: runId, experimentId: exp.id, name: 'initial weights' }
			});
			for (const [file, bytes] of Object.entries(files))
				await call('POST', `/api/v1/runs/${runId}/artifacts`, {
					json: { name: file, sha256: await this.blob(bytes) }
				});
			await call('POST', '/api/v1/models', { json: { name } });
			return call('POST', `/api/v1/models/${name}/versions`, { json: { sourceRunId: runId } });
		},
		version: (name, v) => call('GET', `/api/v1/models/${name}/versions/${v}`),
		createJob: (settings) => call('POST', '/api/v1/federated/jobs', { json: settings }),
		/** A participation token for the job (as a join link carries one): its secret. */
		participationToken: async (id, name) =>
			(await call('POST', job(id, '/tokens'), { json: { name } })).secret,
		view: (id) => call('GET', job(id)),
		register: async (id) => ({ jobId: id, ...(await call('POST', job(id, '/clients'))) }),
		task: (c) => call('GET', job(c.jobId, '/task'), { headers: who(c) }),
		/** The round's global weights; `round` null: the job's latest (after its last round too). */
		async weights(c, round) {
			const q = round === null ? '' : `?round=${round}`;
			const b = await call('GET', job(c.jobId, `/weights${q}`), { headers: who(c), as: 'bytes' });
			return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
		},
		update: (c, body, meta) =>
			call('POST', job(c.jobId, '/updates'), {
				bytes: body,
				headers: { ...who(c), 'x-edgebook-fed-meta': JSON.stringify(meta) }
			})
	};
}
