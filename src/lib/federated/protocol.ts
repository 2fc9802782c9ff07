import {
	FED_CLIENT_HEADER,
	FED_META_HEADER,
	type FedJobView,
	type FedJoinPlan,
	type FedJobCreateInput,
	type FedTokenCreated,
	type FedTask,
	type FedUpdateMetaInput
} from '$lib/contract';

/**
 * A participant's side of the federated protocol over HTTP (docs/architecture.md, "Federated jobs"), on `fetch`
 * alone so a browser tab and Node's simulator speak it the same way: register, ask for the task, pull the global
 * weights, send an update as float32 bytes. What it sends is exactly this: weights, the example count and a few
 * metrics; never a row.
 */

export class FederatedError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string
	) {
		super(message);
		this.name = 'FederatedError';
	}
}

export interface Participant {
	jobId: string;
	clientId: string;
	secret: string;
}

export interface ProtocolOptions {
	/** The registry's origin ('' for the page's own). */
	base: string;
	token: string;
	fetch?: typeof fetch;
}

export function federatedApi(o: ProtocolOptions) {
	const doFetch = o.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
	const url = (jobId: string, rest = '') =>
		`${o.base}/api/v1/federated/jobs/${encodeURIComponent(jobId)}${rest}`;
	async function call(path: string, init: RequestInit = {}): Promise<Response> {
		const headers = new Headers(init.headers);
		headers.set('authorization', `Bearer ${o.token}`);
		const res = await doFetch(path, { ...init, headers });
		if (!res.ok) {
			let code = 'error';
			let message = `${res.status} ${res.statusText}`;
			try {
				const body = (await res.json()) as { error?: { code?: string; message?: string } };
				code = body.error?.code ?? code;
				message = body.error?.message ?? message;
			} catch {
				// Not JSON: the status says enough.
			}
			throw new FederatedError(res.status, code, message);
		}
		return res;
	}
	const who = (p: Participant) => ({ [FED_CLIENT_HEADER]: `${p.clientId}.${p.secret}` });
	return {
		/** The starting version's model.json, preprocessing and training params. */
		async plan(jobId: string): Promise<FedJoinPlan> {
			return (await call(url(jobId, '/plan'))).json();
		},
		/** Starts a job (a workspace token with the `federate` scope). */
		async create(settings: FedJobCreateInput): Promise<FedJobView> {
			return (
				await call(`${o.base}/api/v1/federated/jobs`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(settings)
				})
			).json();
		},
		/** A participation token for one job, and the join link that carries it. */
		async participationToken(jobId: string): Promise<FedTokenCreated> {
			return (
				await call(url(jobId, '/tokens'), {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: '{}'
				})
			).json();
		},
		async job(jobId: string): Promise<FedJobView> {
			return (await call(url(jobId))).json();
		},
		async register(jobId: string): Promise<Participant> {
			const r = (await (await call(url(jobId, '/clients'), { method: 'POST' })).json()) as {
				clientId: string;
				secret: string;
			};
			return { jobId, ...r };
		},
		async task(p: Participant): Promise<FedTask> {
			return (await call(url(p.jobId, '/task'), { headers: who(p) })).json();
		},
		async weights(p: Participant, round: number): Promise<Float32Array> {
			const bytes = await (
				await call(url(p.jobId, `/weights?round=${round}`), { headers: who(p) })
			).arrayBuffer();
			return new Float32Array(bytes);
		},
		/** New weights as float32, or an encoded difference (outgoing.ts) with its encoding named in `meta`. */
		async update(p: Participant, update: Float32Array | Uint8Array, meta: FedUpdateMetaInput): Promise<void> {
			await call(url(p.jobId, '/updates'), {
				method: 'POST',
				headers: {
					...who(p),
					'content-type': 'application/octet-stream',
					[FED_META_HEADER]: JSON.stringify(meta)
				},
				body:
					update instanceof Float32Array
						? new Uint8Array(update.buffer, update.byteOffset, update.byteLength).slice()
						: (update.slice() as Uint8Array<ArrayBuffer>)
			});
		}
	};
}

export type FederatedApi = ReturnType<typeof federatedApi>;
