import { FakeRegistry, freshDb, signedIn } from './fake-registry';
import { describe, expect, it } from 'vitest';
import { experimentIdForName, type Mutation } from '$lib/contract';
import { SyncEngine } from '$lib/sync/engine';
import { getModel } from '$lib/sync/models';
import { getState, setState } from '$lib/sync/state';
import { setNote } from '$lib/tracking/runs';
import { lineage, newRun } from '../tracking/helpers';

const SHA = 'ab'.repeat(32);
const exp = experimentIdForName('remote');

/** One change of every kind, in an order the registry could have applied them. */
const feed: [Mutation, Record<string, unknown> | null][] = [
	[{ type: 'experiment.create', experiment: { id: exp, name: 'remote', createdAt: 1 } }, null],
	[{ type: 'experiment.rename', experimentId: exp, name: 'remote 2' }, null],
	[{ type: 'experiment.tag.set', experimentId: exp, key: 'team', value: 'a' }, null],
	[{ type: 'experiment.tag.delete', experimentId: exp, key: 'team' }, null],
	[{ type: 'experiment.delete', experimentId: exp }, null],
	[{ type: 'experiment.restore', experimentId: exp }, null],
	[
		{
			type: 'run.create',
			run: {
				id: 'r1',
				experimentId: exp,
				parentId: null,
				name: 'far',
				startedAt: 5,
				notebookId: null,
				cellId: null,
				params: [{ key: 'lr', value: '0.1' }],
				tags: [{ key: 't', value: '1' }],
				lineage: null
			}
		},
		null
	],
	[
		{
			type: 'run.log',
			runId: 'r1',
			metrics: [{ key: 'loss', value: 0.5, step: 1, timestamp: 9 }],
			params: [{ key: 'bs', value: '32' }],
			tags: [{ key: 'u', value: '2' }]
		},
		null
	],
	[{ type: 'run.tag.delete', runId: 'r1', key: 't' }, null],
	[{ type: 'run.update', runId: 'r1', status: 'finished', endedAt: 20, name: 'far away', note: 'n' }, null],
	[
		{
			type: 'artifact.link',
			artifact: {
				runId: 'r1',
				name: 'weights.bin',
				mediaType: 'application/octet-stream',
				bytes: 3,
				sha256: SHA
			}
		},
		null
	],
	[
		{
			type: 'artifact.link',
			artifact: { runId: 'r1', name: 'x/y.txt', mediaType: 'text/plain', bytes: 3, sha256: SHA }
		},
		null
	],
	[{ type: 'artifact.delete', runId: 'r1', path: 'x' }, null],
	[{ type: 'run.delete', runId: 'r1', deletedAt: 30 }, null],
	[{ type: 'run.restore', runId: 'r1' }, null],
	[{ type: 'model.create', name: 'm' }, { created: true }],
	[{ type: 'model.update', name: 'm', description: 'desc' }, null],
	[{ type: 'model.tag.set', name: 'm', key: 'k', value: 'v' }, null],
	[{ type: 'model.tag.delete', name: 'm', key: 'k' }, null],
	[
		{
			type: 'model.version.create',
			id: 'v1',
			modelName: 'm',
			sourceRunId: 'r1',
			artifactSha256: SHA,
			signature: null
		},
		{ version: 1 }
	],
	[
		{
			type: 'model.version.create',
			id: 'v2',
			modelName: 'm',
			sourceRunId: 'r1',
			artifactSha256: null,
			signature: null
		},
		{ version: 2 }
	],
	[
		{ type: 'model.version.update', modelName: 'm', ref: { version: 1 }, description: 'first' },
		{ version: 1 }
	],
	[
		{ type: 'model.version.tag.set', modelName: 'm', ref: { versionId: 'v1' }, key: 'q', value: 'ok' },
		{ version: 1 }
	],
	[
		{ type: 'model.version.tag.set', modelName: 'm', ref: { version: 2 }, key: 'gone', value: 'x' },
		{ version: 2 }
	],
	[{ type: 'model.version.tag.delete', modelName: 'm', ref: { version: 2 }, key: 'gone' }, { version: 2 }],
	[{ type: 'model.alias.set', modelName: 'm', alias: 'champion', ref: { version: 1 } }, { version: 1 }],
	[{ type: 'model.alias.set', modelName: 'm', alias: 'challenger', ref: { version: 2 } }, { version: 2 }],
	[{ type: 'model.alias.delete', modelName: 'm', alias: 'challenger' }, null],
	[{ type: 'model.version.delete', modelName: 'm', ref: { version: 2 } }, { version: 2 }],
	[{ type: 'model.rename', name: 'm', newName: 'model-b' }, null],
	[{ type: 'model.create', name: 'doomed' }, { created: true }],
	[{ type: 'model.delete', name: 'doomed' }, null]
];

function setup() {
	const d = freshDb();
	const reg = new FakeRegistry();
	const engine = new SyncEngine({
		db: d,
		fetch: reg.fetch,
		locks: null,
		events: null,
		schedule: () => () => {}
	});
	return { d, reg, engine };
}

describe('pull applies every kind of remote change', () => {
	it('the whole feed lands in the local tables, with the cursor', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		reg.blobs.set(SHA, new TextEncoder().encode('abc'));
		for (const [m, result] of feed) reg.add(m, result);
		expect(await engine.syncNow()).toMatchObject({ ok: true, pulled: feed.length });
		expect(await getState(d, 'cursor')).toBe(`w${feed.length}`);

		expect(await d.experiments.get(exp)).toMatchObject({ name: 'remote 2', deletedAt: null, tags: {} });
		const run = await d.runs.get('r1');
		expect(run).toMatchObject({
			name: 'far away',
			status: 'finished',
			endedAt: 20,
			note: 'n',
			deletedAt: null,
			origin: 'remote',
			params: { lr: '0.1', bs: '32' },
			tags: { u: '2' },
			summary: { loss: 0.5 }
		});
		expect(await d.metrics.where('[runId+key+step]').equals(['r1', 'loss', 1]).count()).toBe(1);
		const files = await d.artifacts.toArray();
		expect(files.map((f) => f.name)).toEqual(['weights.bin']);
		expect(await files[0].blob.text()).toBe('abc');

		const model = await getModel('model-b', { db: d });
		expect(model).toMatchObject({ description: 'desc', tags: {}, aliases: { champion: 'v1' } });
		expect(model?.versions.map((v) => [v.id, v.version, v.description, v.tags])).toEqual([
			['v1', 1, 'first', { q: 'ok' }]
		]);
		expect(await getModel('m', { db: d })).toBeNull();
		expect(await getModel('doomed', { db: d })).toBeNull();
	});

	it('a cursor stored before per-workspace cursors is sent as it is, and replaced by the answer', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		await setState(d, 'cursor', 2);
		for (const [m, result] of feed.slice(0, 4)) reg.add(m, result);
		expect(await engine.syncNow()).toMatchObject({ ok: true, pulled: 2 });
		const pull = reg.requests.find((r) => r.path === '/api/v1/sync/pull');
		expect(pull?.query.get('cursor')).toBe('2');
		expect(await getState(d, 'cursor')).toBe('w4');
	});

	it('a pulled page and its cursor commit together: pulling again applies nothing twice', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		for (const [m, result] of feed.slice(0, 8)) reg.add(m, result);
		await engine.syncNow();
		// The registry's feed is read again from the start by a second engine over the same database.
		const again = new SyncEngine({
			db: d,
			fetch: reg.fetch,
			locks: null,
			events: null,
			schedule: () => () => {}
		});
		expect(await again.syncNow()).toMatchObject({ ok: true, pulled: 0 });
		expect(await d.metrics.count()).toBe(1);
		const pulls = reg.requests.filter((r) => r.path === '/api/v1/sync/pull');
		expect(pulls.length).toBeGreaterThan(0);
	});

	it('a local change still pending wins over an older remote one (the registry applies ours later)', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		const run = await newRun({ lineage });
		await engine.syncNow();
		await setNote(run.id, 'mine');
		reg.add({ type: 'run.update', runId: run.id, note: 'theirs', name: 'renamed' });
		reg.failures.push(503); // the push fails, the pull below still sees our note pending
		await engine.syncNow();
		const { pullChanges } = await import('$lib/sync/pull');
		const { RegistryClient } = await import('$lib/sync/client');
		await pullChanges({
			db: d,
			client: new RegistryClient({ url: 'http://registry.test', token: 't', fetch: reg.fetch }),
			clientId: 'me'
		});
		expect(await d.runs.get(run.id)).toMatchObject({ note: 'mine', name: 'renamed' });
	});
});
