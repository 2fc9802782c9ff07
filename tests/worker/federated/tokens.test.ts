import { beforeAll, describe, expect, it } from 'vitest';
import type { FedJobView, FedJoinPlan, FedTokenCreated, TokenInfo } from '../../../src/lib/contract';
import { api, ok } from '../v1/fixtures';
import { PARAMS, PREP, filled, trainedVersion } from './fixtures';

/**
 * Participation tokens: a token bound to one federated job, handed out in a join link. It takes part in its job
 * (the plan, register, task, weights, update) and does nothing else: not another job, not a new job or token, not
 * a registry read. Revoking it locks the participant out.
 */

type Client = { clientId: string; secret: string };

const newJob = (rounds = 1) =>
	ok<FedJobView>('/api/v1/federated/jobs', {
		method: 'POST',
		json: { modelName: 'fedtok', version: 1, rounds, minFitClients: 1, minAvailableClients: 1 },
		status: 201
	});
const mint = (jobId: string, token?: string) =>
	api(`/api/v1/federated/jobs/${jobId}/tokens`, { method: 'POST', json: {}, token });

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
	const body = (await res.json()) as { error: { code: string; message: string } };
	return { status: res.status, ...body.error };
}

let mine: FedJobView;
let other: FedJobView;
let token: FedTokenCreated;

beforeAll(async () => {
	expect(await trainedVersion('fedtok', filled(0))).toBe(1);
	mine = await newJob();
	other = await newJob();
	const res = await mint(mine.id);
	expect(res.status).toBe(201);
	token = (await res.json()) as FedTokenCreated;
}, 60_000);

describe('a participation token', () => {
	it('is minted for one job, with the join link that carries it in its fragment, and listed as bound to it', async () => {
		expect(token.jobId).toBe(mine.id);
		expect(token.secret).toMatch(/^eb_[A-Za-z0-9]+_[A-Za-z0-9_-]+$/);
		expect(token.joinPath).toBe(`/fed/${mine.id}#token=${token.secret}`);
		const { tokens } = await ok<{ tokens: TokenInfo[] }>('/api/v1/tokens');
		const listed = tokens.find((t) => t.id === token.tokenId)!;
		expect(listed).toMatchObject({ scopes: ['federate'], federatedJob: mine.id, revokedAt: null });
		// Ordinary tokens are bound to no job.
		expect(tokens.filter((t) => t.id !== token.tokenId).every((t) => t.federatedJob === null)).toBe(true);
	});

	it("reads its job's plan: the starting version's model.json, preprocessing and training params", async () => {
		const plan = await ok<FedJoinPlan>(`/api/v1/federated/jobs/${mine.id}/plan`, { token: token.secret });
		expect(plan).toMatchObject({ jobId: mine.id, modelName: 'fedtok', version: 1 });
		expect(plan.preprocessing).toEqual(JSON.parse(JSON.stringify(PREP)));
		const manifest = (JSON.parse(plan.modelJson) as { weightsManifest: { weights: { shape: number[] }[] }[] })
			.weightsManifest[0].weights;
		expect(manifest.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0)).toBe(PARAMS);
		expect(typeof plan.params).toBe('object');
	});

	it('takes part in its job: registers, is given the round, pulls the weights and sends its update', async () => {
		const me = await ok<Client>(`/api/v1/federated/jobs/${mine.id}/clients`, {
			method: 'POST',
			status: 201,
			token: token.secret
		});
		const who = { 'x-edgebook-fed-client': `${me.clientId}.${me.secret}` };
		const task = await ok<{ kind: string; round: number }>(`/api/v1/federated/jobs/${mine.id}/task`, {
			headers: who,
			token: token.secret
		});
		expect(task).toMatchObject({ kind: 'train', round: 1 });
		const w = await api(`/api/v1/federated/jobs/${mine.id}/weights?round=1`, { token: token.secret });
		expect(new Float32Array(await w.arrayBuffer())).toEqual(filled(0));
		const sent = await api(`/api/v1/federated/jobs/${mine.id}/updates`, {
			method: 'POST',
			token: token.secret,
			body: new Uint8Array(filled(2).buffer),
			headers: {
				...who,
				'content-type': 'application/octet-stream',
				'x-edgebook-fed-meta': JSON.stringify({ round: 1, numExamples: 5 })
			}
		});
		expect(sent.status).toBe(202);
		const done = await ok<FedJobView>(`/api/v1/federated/jobs/${mine.id}`, { token: token.secret });
		expect(done.state).toBe('done');
		expect(done.history.map((h) => h.examples)).toEqual([5]);
	});

	const REFUSED: { what: string; call: () => Promise<Response>; status: number; says: RegExp }[] = [
		{
			what: "another job's view",
			call: () => api(`/api/v1/federated/jobs/${other.id}`, { token: token.secret }),
			status: 403,
			says: /for federated job [0-9a-f]{32}; it cannot act on job [0-9a-f]{32}/
		},
		{
			what: 'registering with another job',
			call: () => api(`/api/v1/federated/jobs/${other.id}/clients`, { method: 'POST', token: token.secret }),
			status: 403,
			says: /cannot act on job/
		},
		{
			what: "another job's weights",
			call: () => api(`/api/v1/federated/jobs/${other.id}/weights`, { token: token.secret }),
			status: 403,
			says: /cannot act on job/
		},
		{
			what: "another job's plan",
			call: () => api(`/api/v1/federated/jobs/${other.id}/plan`, { token: token.secret }),
			status: 403,
			says: /cannot act on job/
		},
		{
			what: 'creating a job',
			call: () =>
				api('/api/v1/federated/jobs', {
					method: 'POST',
					token: token.secret,
					json: { modelName: 'fedtok', version: 1 }
				}),
			status: 403,
			says: /cannot create jobs or tokens/
		},
		{
			what: 'minting another participation token',
			call: () => mint(mine.id, token.secret),
			status: 403,
			says: /cannot create jobs or tokens/
		},
		{
			what: 'a registry read',
			call: () => api('/api/v1/models', { token: token.secret }),
			status: 403,
			says: /lacks the "read" scope/
		},
		{
			what: "the model's runs",
			call: () => api('/api/v1/runs', { token: token.secret }),
			status: 403,
			says: /lacks the "read" scope/
		},
		{
			what: 'a prediction',
			call: () =>
				api('/api/v1/models/fedtok/predict', {
					method: 'POST',
					token: token.secret,
					json: { instances: [[1, 2, 3, 4]] }
				}),
			status: 403,
			says: /lacks the "predict" scope/
		},
		{
			what: 'managing tokens',
			call: () => api('/api/v1/tokens', { token: token.secret }),
			status: 403,
			says: /lacks the "admin" scope/
		}
	];

	it.each(REFUSED)('is refused $what, with a reason', async ({ call, status, says }) => {
		const e = await errorOf(await call());
		expect(e.status).toBe(status);
		expect(e.code).toBe('forbidden');
		expect(e.message).toMatch(says);
	});

	it('is not minted for an unknown or finished job, nor with a bad body', async () => {
		const unknown = await errorOf(await mint('0'.repeat(32)));
		expect([unknown.status, unknown.code]).toEqual([404, 'not_found']);
		// `mine` finished above (one round).
		const finished = await errorOf(await mint(mine.id));
		expect(finished.status).toBe(409);
		expect(finished.message).toMatch(/is done; it takes no new participants/);
		const before = await ok<{ tokens: TokenInfo[] }>('/api/v1/tokens');
		const BAD: [string, RequestInit & { json?: unknown }, RegExp][] = [
			['a number for the name', { json: { name: 7 } }, /name/],
			['an empty name', { json: { name: '  ' } }, /name/],
			['a name of 201 characters', { json: { name: 'x'.repeat(201) } }, /name/],
			['scopes (a participation token has `federate` only)', { json: { scopes: ['admin'] } }, /scopes/],
			['an array', { json: [] }, /./],
			['null', { json: null }, /./],
			['text that is not JSON', { body: '{name:', headers: { 'content-type': 'application/json' } }, /JSON/i]
		];
		const seen: string[] = [];
		for (const [what, init, says] of BAD) {
			const e = await errorOf(
				await api(`/api/v1/federated/jobs/${other.id}/tokens`, { method: 'POST', ...init })
			);
			if (e.status !== 400 || !says.test(e.message)) seen.push(`${what}: ${e.status} ${e.message}`);
		}
		expect(seen).toEqual([]);
		// Nothing was minted by any of them.
		expect((await ok<{ tokens: TokenInfo[] }>('/api/v1/tokens')).tokens.length).toBe(before.tokens.length);
	});

	it('once revoked, is unknown', async () => {
		const res = await mint(other.id);
		const t = (await res.json()) as FedTokenCreated;
		expect((await api(`/api/v1/federated/jobs/${other.id}`, { token: t.secret })).status).toBe(200);
		await ok(`/api/v1/tokens/${t.tokenId}`, { method: 'DELETE' });
		const e = await errorOf(await api(`/api/v1/federated/jobs/${other.id}`, { token: t.secret }));
		expect([e.status, e.code]).toEqual([401, 'unauthenticated']);
	});
});
