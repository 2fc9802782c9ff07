import { expect } from 'vitest';
import type { FedJobView, FedTask } from '../../../src/lib/contract';
import { api, ok } from '../v1/fixtures';

/** A federated participant's calls, as the worker tests make them (the routes themselves, inside workerd). */

export type Client = { clientId: string; secret: string };
export const header = (c: Client) => ({ 'x-edgebook-fed-client': `${c.clientId}.${c.secret}` });

export async function createJob(body: Record<string, unknown>): Promise<FedJobView> {
	return ok<FedJobView>('/api/v1/federated/jobs', { method: 'POST', json: body, status: 201 });
}
export const job = (id: string) => ok<FedJobView>(`/api/v1/federated/jobs/${id}`);
export const join = (id: string) =>
	ok<Client>(`/api/v1/federated/jobs/${id}/clients`, { method: 'POST', status: 201 });
export const task = (id: string, c: Client) =>
	ok<FedTask>(`/api/v1/federated/jobs/${id}/task`, { headers: header(c) });

export function send(
	id: string,
	c: Client | null,
	weights: Float32Array | Uint8Array,
	meta: unknown,
	headers: Record<string, string> = {}
) {
	const bytes = weights instanceof Float32Array ? new Uint8Array(weights.buffer.slice(0)) : weights;
	return api(`/api/v1/federated/jobs/${id}/updates`, {
		method: 'POST',
		body: bytes,
		headers: {
			'content-type': 'application/octet-stream',
			'x-edgebook-fed-meta': typeof meta === 'string' ? meta : JSON.stringify(meta),
			...(c ? header(c) : {}),
			...headers
		}
	});
}

export async function weightsOf(id: string, round: number): Promise<Float32Array> {
	const res = await api(`/api/v1/federated/jobs/${id}/weights?round=${round}`);
	expect(res.status).toBe(200);
	expect(res.headers.get('content-type')).toBe('application/octet-stream');
	return new Float32Array(await res.arrayBuffer());
}
