import { beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { seedMlflow, type MlflowSeed } from './mlflow-seed';
import { stateDigest } from './state';
import { keyOf, listMessages, objectMessages, OTHERS, send } from './mlflow-messages';
import { expectError, label, MLFLOW_ROUTES } from './table';

/**
 * Isolation over every MLflow route: another workspace's admin, naming this workspace's objects, gets
 * RESOURCE_DOES_NOT_EXIST and changes nothing (D1 or R2); its searches list none of them. The tables below must
 * cover the router's own route table, so a new MLflow route cannot be added without saying how it isolates.
 */

let s: MlflowSeed;
let other: string;
// Filled once the seed exists; it.each reads the keys, which do not depend on it.
const OBJECTS = objectMessages(new Proxy({} as MlflowSeed, { get: (_, k) => s[k as keyof MlflowSeed] }));
const LISTS = listMessages(new Proxy({} as MlflowSeed, { get: (_, k) => s[k as keyof MlflowSeed] }));
beforeAll(async () => {
	s = await seedMlflow('iso');
	other = await otherWorkspaceToken('ws_mlflow_iso', ['admin']);
});

describe('MLflow isolation between workspaces, over the whole route table', () => {
	it('the tables cover every MLflow route and nothing else', () => {
		const routes = MLFLOW_ROUTES.map((r) => keyOf(r.method, r.path));
		const covered = [...Object.keys(OBJECTS), ...Object.keys(LISTS), ...OTHERS];
		expect(routes.filter((r) => !covered.includes(r))).toEqual([]);
		expect(covered.filter((r) => !routes.includes(r))).toEqual([]);
		expect(routes.length).toBe(MLFLOW_ROUTES.map(label).length);
	});

	it.each(Object.entries(OBJECTS))('%s: RESOURCE_DOES_NOT_EXIST, nothing changes', async (key, req) => {
		const before = await stateDigest(testEnv.DB, testEnv.ARTIFACTS);
		const { res, path } = await send(key, req(), other);
		const code = await expectError(res, path, `${key} as another workspace`, 404);
		expect(code).toBe('RESOURCE_DOES_NOT_EXIST');
		expect(await stateDigest(testEnv.DB, testEnv.ARTIFACTS)).toBe(before);
	});

	it.each(Object.entries(LISTS))('%s: lists none of this workspace’s objects', async (key, req) => {
		const before = await stateDigest(testEnv.DB, testEnv.ARTIFACTS);
		const { res } = await send(key, req(), other);
		const text = await res.text();
		expect(res.status, text).toBe(200);
		for (const mine of [s.experimentName, s.runId, s.model]) expect(text).not.toContain(mine);
		expect(await stateDigest(testEnv.DB, testEnv.ARTIFACTS)).toBe(before);
	});

	it('creates with the same names make the other workspace its own records; this one is unchanged', async () => {
		const mine = await stateDigest(testEnv.DB);
		const { res } = await send('POST /registered-models/create', { json: { name: s.model } }, other);
		expect(res.status, await res.text()).toBe(200);
		const e = await send('POST /experiments/create', { json: { name: s.experimentName } }, other);
		expect(e.res.status, await e.res.text()).toBe(200);
		expect(await stateDigest(testEnv.DB)).not.toBe(mine);
		const { results } = await testEnv.DB.prepare(
			`SELECT workspace_id, name FROM registered_models WHERE name = ? ORDER BY workspace_id`
		)
			.bind(s.model)
			.all();
		expect(results).toEqual([
			{ workspace_id: 'local', name: s.model },
			{ workspace_id: 'ws_mlflow_iso', name: s.model }
		]);
	});
});
