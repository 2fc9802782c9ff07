import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FedJobView } from '../../../src/lib/contract';
import { decodeUpdate, encodeUpdate, encodedBytes } from '../../../src/lib/ml/federated';
import { ok } from '../v1/fixtures';
import { createJob, join, job, send, type Client } from './client';
import { PARAMS, filled, trainedVersion } from './fixtures';

/**
 * Quantised updates inside workerd: a job that takes float16 or int8 updates gets each client's difference from
 * the global model, decodes it, adds the global model back and averages as for float32; an update in another
 * encoding, of the wrong length or with malformed bytes is refused naming what is wrong, and the round's aggregate
 * is unchanged.
 */

const START = 0.5;
/** Client k's difference from the global model: distinct per coordinate, so a misplaced value shows. */
const diff = (k: number) => Float32Array.from({ length: PARAMS }, (_, i) => (k + 1) * 0.01 * (i - 7));

async function published(done: FedJobView): Promise<Float32Array> {
	const files = await ok<{ artifacts: { name: string; sha256: string }[] }>(
		`/api/v1/runs/${done.history[0].runId}/artifacts`
	);
	const sha = files.artifacts.find((f) => f.name === 'weights.bin')!.sha256;
	return new Float32Array(await (await env.ARTIFACTS.get(`blobs/${sha}`))!.arrayBuffer());
}

async function encodedJob(encoding: 'float16' | 'int8', clients = 2) {
	const j = await createJob({
		modelName: 'fedq',
		version: 1,
		rounds: 1,
		minFitClients: clients,
		minAvailableClients: clients,
		updateEncoding: encoding
	});
	const cs: Client[] = [];
	for (let k = 0; k < clients; k++) cs.push(await join(j.id));
	return { j, cs };
}

beforeAll(async () => {
	expect(await trainedVersion('fedq', filled(START))).toBe(1);
}, 60_000);

describe('quantised updates', () => {
	it.each(['float16', 'int8'] as const)(
		'%s: the published model is the global plus the example-weighted mean of the decoded differences',
		async (encoding) => {
			const { j, cs } = await encodedJob(encoding);
			const task = await ok<{ kind: string; encoding: string }>(`/api/v1/federated/jobs/${j.id}/task`, {
				headers: { 'x-edgebook-fed-client': `${cs[0].clientId}.${cs[0].secret}` }
			});
			expect(task).toMatchObject({ kind: 'train', encoding, localDp: null });
			const bodies = [0, 1].map((k) => encodeUpdate(diff(k), encoding).bytes);
			expect(bodies[0].byteLength).toBe(encodedBytes(PARAMS, encoding));
			for (const [k, examples] of [
				[0, 10],
				[1, 30]
			] as const)
				expect(
					(await send(j.id, cs[k], bodies[k], { round: 1, numExamples: examples, encoding })).status
				).toBe(202);
			const done = await job(j.id);
			expect(done.state).toBe('done');
			// What the object must have computed, from the same bytes decoded independently.
			const [d0, d1] = bodies.map((b) => decodeUpdate(b, encoding, PARAMS));
			const want = Float32Array.from({ length: PARAMS }, (_, i) => {
				const w0 = Math.fround(START + d0[i]);
				const w1 = Math.fround(START + d1[i]);
				return (w0 * 10 + w1 * 30) / 40;
			});
			const got = await published(done);
			for (let i = 0; i < PARAMS; i++) expect(got[i]).toBeCloseTo(want[i], 6);
			// And the decoded differences are close to what the clients meant (the bytes are lossy, not wrong).
			const exact = (START * 40 + diff(0)[3] * 10 + diff(1)[3] * 30) / 40;
			expect(Math.abs(got[3] - exact)).toBeLessThan(encoding === 'int8' ? 1e-3 : 1e-4);
		}
	);

	it('refuses what is not the job’s encoding or not well formed, naming it, and the aggregate is unchanged', async () => {
		const good16 = encodeUpdate(diff(0), 'float16').bytes;
		const inf16 = good16.slice();
		new DataView(inf16.buffer).setUint16(4, 0x7c00, true);
		const nan16 = good16.slice();
		new DataView(nan16.buffer).setUint16(0, 0x7e00, true);
		const CASES: [string, Uint8Array, Record<string, unknown>, RegExp][] = [
			[
				'int8 bytes to a float16 job',
				encodeUpdate(diff(0), 'int8').bytes,
				{ encoding: 'int8' },
				/takes float16 updates; this one is int8/
			],
			[
				'float32 weights to a float16 job',
				new Uint8Array(filled(1).buffer),
				{},
				/takes float16 updates; this one is float32/
			],
			['an encoding that does not exist', good16, { encoding: 'float64' }, /encoding/],
			[
				'float16 bytes one short',
				good16.slice(0, good16.length - 2),
				{ encoding: 'float16' },
				/float16 update is 28 bytes; 15 parameters in float16 are 30 bytes/
			],
			['float16 bytes one long', new Uint8Array([...good16, 0, 0]), { encoding: 'float16' }, /is 32 bytes/],
			['a float16 Infinity', inf16, { encoding: 'float16' }, /float16 update is malformed/],
			['a float16 NaN', nan16, { encoding: 'float16' }, /float16 update is malformed/]
		];
		const { j, cs } = await encodedJob('float16');
		const refusals: string[] = [];
		for (const [what, bytes, meta, says] of CASES) {
			const res = await send(j.id, cs[0], bytes, { round: 1, numExamples: 5, ...meta });
			const text = await res.text();
			if (res.status !== 400 || !says.test(text)) refusals.push(`${what}: ${res.status} ${text}`);
		}
		expect(refusals).toEqual([]);
		for (const [k, c] of cs.entries())
			expect(
				(
					await send(j.id, c, encodeUpdate(diff(k), 'float16').bytes, {
						round: 1,
						numExamples: 1,
						encoding: 'float16'
					})
				).status
			).toBe(202);
		const done = await job(j.id);
		expect(done.history[0]).toMatchObject({ completed: 2, examples: 2 });
		const got = await published(done);
		const [d0, d1] = [0, 1].map((k) =>
			decodeUpdate(encodeUpdate(diff(k), 'float16').bytes, 'float16', PARAMS)
		);
		for (let i = 0; i < PARAMS; i++) expect(got[i]).toBeCloseTo((2 * START + d0[i] + d1[i]) / 2, 6);
	});

	it('refuses int8 bytes with a NaN or infinite block scale', async () => {
		const { j, cs } = await encodedJob('int8');
		const good = encodeUpdate(diff(0), 'int8').bytes;
		const refusals: string[] = [];
		for (const bad of [NaN, Infinity, -Infinity]) {
			const bytes = good.slice();
			new DataView(bytes.buffer).setFloat32(0, bad, true);
			const res = await send(j.id, cs[0], bytes, { round: 1, numExamples: 5, encoding: 'int8' });
			const text = await res.text();
			if (res.status !== 400 || !/int8 update is malformed/.test(text))
				refusals.push(`${bad}: ${res.status} ${text}`);
		}
		expect(refusals).toEqual([]);
		expect((await job(j.id)).received).toBe(0);
	});

	it('a job may require local DP: its task tells every participant the clip norm and noise', async () => {
		const j = await createJob({
			modelName: 'fedq',
			version: 1,
			rounds: 1,
			minFitClients: 1,
			minAvailableClients: 1,
			localDp: { clipNorm: 2, noiseMultiplier: 0.7 }
		});
		const c = await join(j.id);
		const task = await ok(`/api/v1/federated/jobs/${j.id}/task`, {
			headers: { 'x-edgebook-fed-client': `${c.clientId}.${c.secret}` }
		});
		expect(task).toMatchObject({
			kind: 'train',
			encoding: 'float32',
			localDp: { clipNorm: 2, noiseMultiplier: 0.7 }
		});
	});
});
