// The registry and federated HTTP calls the sim makes, as a browser makes them (src/lib/federated/protocol.ts):
// a version registered by hand like the notebook's (experiment, run, blobs, artifacts, model, version), a job, and
// the participant's protocol — register, GET task, GET weights (float32 LE), POST update (octet-stream, meta JSON in
// x-edgebook-fed-meta, identity in x-edgebook-fed-client).
//
// Transport: node:http with one connection per request (Connection: close), not fetch's keep-alive pool. workerd
// (under wrangler dev) closes a connection that has been idle for 5 s (measured: FIN 5,000 ms after the last
// response, no Keep-Alive header to say so). The sim trains on the main thread, synchronously, for seconds at a
// time (E = 20, the CNN), so undici could neither see that FIN nor run its own 4 s idle timer: the next request went
// out on the dead socket and failed with "SocketError: other side closed" (fed:sim crashed so in its third
// configuration, a socket that had carried nine 2NN updates, bytesWritten 7,176,488). A fresh connection per request
// costs well under a millisecond on loopback. Transient socket errors are still retried where that is safe: reads,
// content-addressed blob PUTs, and updates (one per client and round: a retried update the object already took
// answers 409 "already sent" or names a later round, which is taken as accepted).
import { createHash } from 'node:crypto';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

export class HttpError extends Error {
	constructor(method, path, status, body) {
		super(`${method} ${path} → ${status} ${body}`);
		this.status = status;
		this.body = body;
	}
}

const agent = new http.Agent({ keepAlive: false });
const TRANSIENT = new Set([
	'ECONNRESET',
	'EPIPE',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'UND_ERR_SOCKET'
]);
export const transient = (e) => TRANSIENT.has(e?.code) || TRANSIENT.has(e?.cause?.code);

/** One request on a connection of its own: { status, headers, body: Buffer }. */
function send(url, { method, headers, body, timeoutMs }) {
	return new Promise((resolve, reject) => {
		const req = http.request(url, {
			method,
			agent,
			// No Content-Length on a GET (as fetch): with one, workerd sees an (empty) body, and when it must replay
			// the request inside wrangler dev it fails with miniflare's 500 "Cannot reconstruct a Request with a used body".
			headers: method === 'GET' ? headers : { ...headers, 'content-length': body ? body.byteLength : 0 },
			timeout: timeoutMs
		});
		req.on('timeout', () =>
			req.destroy(
				Object.assign(new Error(`${method} ${url}: no answer in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })
			)
		);
		req.on('error', reject);
		req.on('response', (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
			res.on('end', () => {
				// No Accept-Encoding is sent, so bodies come plain; decoded anyway should a layer compress.
				const raw = Buffer.concat(chunks);
				const enc = res.headers['content-encoding'];
				const body = enc === 'gzip' ? gunzipSync(raw) : enc === 'br' ? brotliDecompressSync(raw) : raw;
				resolve({ status: res.statusCode, headers: res.headers, body });
			});
		});
		req.end(body ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : undefined);
	});
}

export function client(url, token) {
	/**
	 * retry: 'safe' (GET, PUT of a blob named by its hash) or 'update' (see above); other writes are sent once.
	 */
	async function call(method, path, { json, bytes, headers = {}, as = 'json', retry } = {}, attempt = 0) {
		retry ??= method === 'GET' || method === 'PUT' ? 'safe' : null;
		const opts = { json, bytes, headers, as, retry };
		const body = json !== undefined ? Buffer.from(JSON.stringify(json)) : bytes;
		let res;
		try {
			res = await send(`${url}${path}`, {
				method,
				timeoutMs: 120_000,
				headers: {
					authorization: `Bearer ${token}`,
					...(json !== undefined ? { 'content-type': 'application/json' } : {}),
					...(bytes !== undefined ? { 'content-type': 'application/octet-stream' } : {}),
					...headers
				},
				body
			});
		} catch (e) {
			if (!retry || !transient(e) || attempt >= 4) throw e;
			await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
			return call(method, path, opts, attempt + 1);
		}
		// A 5xx to a read or a blob PUT (wrangler dev's own proxy answers some under load): tried again, twice.
		if (res.status >= 500 && retry === 'safe' && attempt < 2) {
			await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
			return call(method, path, opts, attempt + 1);
		}
		// The registry limits each token's requests a minute: wait as it says, a few times.
		if (res.status === 429 && attempt < 5) {
			const wait = Number(res.headers['retry-after'] ?? 1);
			await new Promise((r) => setTimeout(r, Math.max(1, wait) * 1000));
			return call(method, path, opts, attempt + 1);
		}
		const text = () => res.body.toString('utf8');
		if (res.status === 409 && retry === 'update' && attempt > 0 && tookIt(text(), headers))
			return { retried: true };
		if (res.status < 200 || res.status >= 300) throw new HttpError(method, path, res.status, text());
		if (as === 'bytes') return new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength);
		try {
			return JSON.parse(text());
		} catch {
			return null;
		}
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
			const aligned = b.byteOffset % 4 === 0 ? b : b.slice();
			return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
		},
		update: (c, body, meta) =>
			call('POST', job(c.jobId, '/updates'), {
				bytes: body,
				headers: { ...who(c), 'x-edgebook-fed-meta': JSON.stringify(meta) },
				retry: 'update'
			})
	};
}

/**
 * A retried update's 409 that says the first attempt got through: the client already sent this round, or the job
 * has moved past the update's round (rounds here close only when every sampled client has sent: no deadline).
 */
function tookIt(text, headers) {
	let e;
	try {
		e = JSON.parse(text).error;
	} catch {
		return false;
	}
	const sent = JSON.parse(headers['x-edgebook-fed-meta'] ?? '{}').round;
	if (/already sent its update/.test(e?.message ?? '')) return true;
	if (typeof e?.details?.round === 'number' && e.details.round > sent) return true;
	return e?.details?.state === 'done';
}
