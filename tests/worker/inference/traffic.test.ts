import { beforeAll, describe, expect, it } from 'vitest';
import { trafficBucket, type PredictionRecord } from '../../../src/lib/contract';
import { settle, testEnv, type ErrorJson } from '../helpers';
import { api, ok, snapshot } from '../v1/fixtures';
import { register, upload } from './fixtures';
import { sklearnLikeModel } from './onnx-builder';

/**
 * Canary and shadow on an alias: a canary answers the share of requests its sticky key places under `percent`
 * (the same key always lands in the same place), a shadow scores every request without answering; each answer
 * names the version that gave it, and the log holds both.
 */

// v1 always says class 0, v2 always class 2, whatever the row: an answer shows which version gave it.
const ZERO = [
	[5, 0, 0],
	[5, 0, 0],
	[5, 0, 0],
	[5, 0, 0]
];
const TWO = [
	[0, 0, 5],
	[0, 0, 5],
	[0, 0, 5],
	[0, 0, 5]
];
const ROW = { inputs: [[1, 1, 1, 1]] };
const CHAMPION = '/api/v1/models/ab/aliases/champion';

async function call(json: unknown, headers: Record<string, string> = {}) {
	const res = await api(`${CHAMPION}/predict`, { method: 'POST', json, headers });
	const body = await res.json<{
		version: number;
		predictions: { label: number[] };
		predictionIds: string[];
	}>();
	expect(res.status, JSON.stringify(body)).toBe(200);
	return { body, version: res.headers.get('x-edgebook-version'), route: res.headers.get('x-edgebook-route') };
}

const setTraffic = (json: unknown) => api(`${CHAMPION}/traffic`, { method: 'PUT', json });
const log = async () => {
	await settle();
	return (await ok<{ predictions: PredictionRecord[] }>('/api/v1/models/ab/predictions?limit=10000'))
		.predictions;
};

beforeAll(async () => {
	expect(await register('ab', { sha: await upload(sklearnLikeModel(ZERO)) })).toBe(1);
	expect(await register('ab', { sha: await upload(sklearnLikeModel(TWO)) })).toBe(2);
	expect(await register('ab', { sha: null })).toBe(3);
	await ok(CHAMPION, { method: 'PUT', json: { version: 1 } });
	await call(ROW);
}, 60_000);

describe('canary', () => {
	it('a 10% canary sticky by a header answers exactly the keys its bucket places under 10, and the log shows it', async () => {
		const before = (await log()).length;
		const set = await setTraffic({ canary: { version: 2, percent: 10, stickyBy: { header: 'X-User' } } });
		expect(set.status).toBe(200);
		const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
		const expected = users.filter((u) => trafficBucket('champion', u) < 10);
		// The split is a real share, not all or nothing.
		expect(expected.length).toBeGreaterThan(5);
		expect(expected.length).toBeLessThan(40);
		const canaried: string[] = [];
		for (const u of users) {
			const { body, version, route } = await call(ROW, { 'x-user': u });
			expect(body.predictions.label).toEqual([version === '2' ? 2 : 0]);
			expect(route).toBe(version === '2' ? 'canary' : 'primary');
			if (version === '2') canaried.push(u);
		}
		expect(canaried).toEqual(expected);
		// Sticky: one caller keeps meeting one version.
		for (let i = 0; i < 5; i++) expect((await call(ROW, { 'x-user': expected[0] })).version).toBe('2');
		const records = (await log()).slice(before);
		expect(records.filter((r) => r.route === 'canary').length).toBe(expected.length + 5);
		expect(
			records.filter((r) => r.route === 'canary').every((r) => r.version === 2 && r.alias === 'champion')
		).toBe(true);
		expect(records.filter((r) => r.route === 'primary').every((r) => r.version === 1)).toBe(true);
	});

	it('sticky by a params field; 0% never and 100% always without a key', async () => {
		await setTraffic({ canary: { version: 2, percent: 50, stickyBy: { param: 'user' } } });
		const keyed = Array.from({ length: 40 }, (_, i) => `p${i}`);
		for (const k of keyed)
			expect((await call({ ...ROW, params: { user: k } })).version).toBe(
				trafficBucket('champion', k) < 50 ? '2' : '1'
			);
		await setTraffic({ canary: { version: 2, percent: 0 } });
		for (let i = 0; i < 10; i++) expect((await call(ROW)).version).toBe('1');
		await setTraffic({ canary: { version: 2, percent: 100 } });
		for (let i = 0; i < 10; i++) expect((await call(ROW)).version).toBe('2');
		// A version called by number is never split.
		const direct = await api('/api/v1/models/ab/versions/1/predict', { method: 'POST', json: ROW });
		expect(direct.headers.get('x-edgebook-version')).toBe('1');
		expect((await api(`${CHAMPION}/traffic`, { method: 'DELETE' })).status).toBe(200);
		for (let i = 0; i < 5; i++) expect((await call(ROW)).version).toBe('1');
	});
});

describe('shadow', () => {
	it('the shadow scores every request without answering; both outputs are in the log, joined by id', async () => {
		const before = (await log()).length;
		expect((await setTraffic({ shadow: { version: 2 } })).status).toBe(200);
		const answers = [];
		for (let i = 0; i < 3; i++) {
			const a = await call(ROW);
			expect([a.version, a.body.predictions.label]).toEqual(['1', [0]]);
			answers.push(a.body.predictionIds[0]);
		}
		const records = (await log()).slice(before);
		const primary = records.filter((r) => r.route === 'primary');
		const shadow = records.filter((r) => r.route === 'shadow');
		expect(primary.map((r) => r.id)).toEqual(answers);
		expect(shadow.map((r) => r.shadowOf).sort()).toEqual([...answers].sort());
		expect(shadow.every((r) => r.version === 2 && (r.outputs as { label: number }).label === 2)).toBe(true);
		await api(`${CHAMPION}/traffic`, { method: 'DELETE' });
	});
});

describe('bad traffic settings: a 4xx naming the problem, nothing stored changes', () => {
	beforeAll(async () => {
		expect(await register('ab', { sha: await upload(sklearnLikeModel(TWO)) })).toBe(4);
		await ok('/api/v1/models/ab/versions/4', { method: 'DELETE' });
	});

	it.each([
		{
			what: 'a canary at a deleted version',
			json: { canary: { version: 4, percent: 10 } },
			status: 404,
			message: /has no version 4/
		},
		{
			what: 'a canary at the alias’s own version',
			json: { canary: { version: 1, percent: 10 } },
			status: 400,
			message: /already serves/
		},
		{
			what: 'a version with no artifact',
			json: { shadow: { version: 3 } },
			status: 409,
			message: /no ONNX artifact/
		},
		{
			what: 'a percent over 100',
			json: { canary: { version: 2, percent: 101 } },
			status: 400,
			message: /percent/
		},
		{
			what: 'a header name with spaces',
			json: { canary: { version: 2, percent: 5, stickyBy: { header: 'x user' } } },
			status: 400,
			message: /header/
		},
		{
			what: 'both a canary and a shadow',
			json: { canary: { version: 2, percent: 5 }, shadow: { version: 2 } },
			status: 400,
			message: /body/
		}
	])('$what', async ({ json, status, message }) => {
		const before = await snapshot(testEnv.DB);
		const res = await setTraffic(json);
		const body = await res.json<ErrorJson>();
		expect(res.status, body.error.message).toBe(status);
		expect(body.error.message).toMatch(message);
		expect(await snapshot(testEnv.DB)).toBe(before);
	});

	it('an unknown alias is a 404, and the plain tag route refuses to write a split unchecked', async () => {
		const res = await api('/api/v1/models/ab/aliases/nope/traffic', {
			method: 'PUT',
			json: { shadow: { version: 2 } }
		});
		expect(res.status).toBe(404);
		expect((await res.json<ErrorJson>()).error.message).toBe('The model "ab" has no alias "nope".');
		const tag = await api('/api/v1/models/ab/tags/edgebook.traffic.champion', {
			method: 'PUT',
			json: { value: '{}' }
		});
		expect(tag.status).toBe(400);
		expect((await tag.json<ErrorJson>()).error.message).toMatch(/aliases\/<alias>\/traffic/);
	});

	it('every door checks a split written as a tag: MLflow set-tag refuses one that is not a split', async () => {
		const before = await snapshot(testEnv.DB);
		const res = await api('/api/2.0/mlflow/registered-models/set-tag', {
			method: 'POST',
			json: {
				name: 'ab',
				key: 'edgebook.traffic.champion',
				value: '{"canary": {"version": 2, "percent": 250}}'
			}
		});
		expect(res.status).toBe(400);
		const body = await res.json<{ error_code: string; message: string }>();
		expect(body.error_code).toBe('INVALID_PARAMETER_VALUE');
		expect(body.message).toMatch(/holds an alias's traffic split/);
		expect(await snapshot(testEnv.DB)).toBe(before);
		// A valid one is accepted there too, and serving follows it.
		const good = await api('/api/2.0/mlflow/registered-models/set-tag', {
			method: 'POST',
			json: {
				name: 'ab',
				key: 'edgebook.traffic.champion',
				value: '{"canary": {"version": 2, "percent": 100}}'
			}
		});
		expect(good.status).toBe(200);
		expect((await call(ROW)).version).toBe('2');
		await api(`${CHAMPION}/traffic`, { method: 'DELETE' });
	});

	it('a canary whose version is deleted after it was set falls back to the alias’s own version', async () => {
		const v = await register('ab', { sha: await upload(sklearnLikeModel(TWO)) });
		expect((await setTraffic({ canary: { version: v, percent: 100 } })).status).toBe(200);
		expect((await call(ROW)).version).toBe(String(v));
		await ok(`/api/v1/models/ab/versions/${v}`, { method: 'DELETE' });
		expect((await call(ROW)).version).toBe('1');
		await api(`${CHAMPION}/traffic`, { method: 'DELETE' });
	});
});

describe('what serves follows every registry write at once', () => {
	it('an alias moved between two requests is answered by its new version on the next one', async () => {
		await api(`${CHAMPION}/traffic`, { method: 'DELETE' });
		// Served twice, so the isolate has the alias's version in hand (workers/inference/serving-cache.ts).
		expect((await call(ROW)).version).toBe('1');
		expect((await call(ROW)).version).toBe('1');
		await ok(CHAMPION, { method: 'PUT', json: { version: 2 } });
		const moved = await call(ROW);
		expect([moved.version, moved.body.predictions.label]).toEqual(['2', [2]]);
		await ok(CHAMPION, { method: 'PUT', json: { version: 1 } });
		expect((await call(ROW)).version).toBe('1');
	});
});
