import { FakeRegistry, freshDb, signedIn } from './fake-registry';
import { describe, expect, it } from 'vitest';
import { experimentIdForName, type Mutation } from '$lib/contract';
import { SyncEngine } from '$lib/sync/engine';
import { listMissing } from '$lib/sync/missing-artifacts';
import { getModel } from '$lib/sync/models';
import { getState } from '$lib/sync/state';

/**
 * One artifact whose bytes cannot be fetched (no answer, 404, 500) must not stall sync: the pull applies
 * everything else, moves its cursor to the end, names the missing artifact, and a later retry fetches it.
 */

const BAD = 'bd'.repeat(32);
const GOOD = '90'.repeat(32);
const exp = experimentIdForName('remote');

const link = (name: string, sha256: string): Mutation => ({
	type: 'artifact.link',
	artifact: { runId: 'r1', name, mediaType: 'text/html; charset=utf-7', bytes: 3, sha256 }
});

/** The bad artifact comes first, so everything after it depends on the pull carrying on. */
const feed: [Mutation, Record<string, unknown> | null][] = [
	[{ type: 'experiment.create', experiment: { id: exp, name: 'remote', createdAt: 1 } }, null],
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
				params: [],
				tags: [],
				lineage: null
			}
		},
		null
	],
	[link('page.html', BAD), null],
	[link('good.txt', GOOD), null],
	[
		{
			type: 'run.log',
			runId: 'r1',
			metrics: [{ key: 'loss', value: 0.5, step: 1, timestamp: 9 }],
			params: [],
			tags: []
		},
		null
	],
	[{ type: 'run.update', runId: 'r1', status: 'finished', endedAt: 20 }, null],
	[{ type: 'model.create', name: 'm' }, { created: true }],
	[
		{
			type: 'model.version.create',
			id: 'v1',
			modelName: 'm',
			sourceRunId: 'r1',
			artifactSha256: GOOD,
			signature: null
		},
		{ version: 1 }
	],
	[{ type: 'model.alias.set', modelName: 'm', alias: 'champion', ref: { version: 1 } }, { version: 1 }]
];

function setup() {
	const d = freshDb();
	const reg = new FakeRegistry();
	let now = 1_000_000;
	const engine = new SyncEngine({
		db: d,
		fetch: reg.fetch,
		locks: null,
		events: null,
		schedule: () => () => {},
		now: () => now,
		random: () => 0.5,
		blobTimeoutMs: 50,
		missingRetryBaseMs: 1000
	});
	reg.blobs.set(BAD, new TextEncoder().encode('+AD'));
	reg.blobs.set(GOOD, new TextEncoder().encode('abc'));
	for (const [m, result] of feed) reg.add(m, result);
	return { d, reg, engine, advance: (ms: number) => (now += ms) };
}

const faults: [string, (reg: FakeRegistry) => void, RegExp][] = [
	['never answers', (reg) => reg.hangingBlobs.add(BAD), /no answer within 50 ms/],
	['answers but never finishes its body', (reg) => reg.stallingBlobs.add(BAD), /no answer within 50 ms/],
	['answers 404', (reg) => reg.blobStatus.set(BAD, 404), /404/],
	['answers 500', (reg) => reg.blobStatus.set(BAD, 500), /500/]
];

describe('one bad artifact never stalls the pull', () => {
	for (const [what, fault, reason] of faults)
		it(`a blob that ${what}: the rest converges and the artifact is named missing`, async () => {
			const { d, reg, engine } = setup();
			await signedIn(d);
			fault(reg);
			expect(await engine.syncNow()).toMatchObject({ ok: true, pulled: feed.length, missing: 1 });
			expect(engine.status.state).toBe('synced');
			expect(engine.status.missing).toBe(1);
			expect(await getState(d, 'cursor')).toBe(`w${feed.length}`);

			expect(await d.runs.get('r1')).toMatchObject({ status: 'finished', summary: { loss: 0.5 } });
			const files = await d.artifacts.toArray();
			expect(files.map((f) => f.name)).toEqual(['good.txt']);
			const model = await getModel('m', { db: d });
			expect(model).toMatchObject({ aliases: { champion: 'v1' } });
			expect(model?.versions.map((v) => v.version)).toEqual([1]);

			const missing = await listMissing(d);
			expect(missing).toHaveLength(1);
			expect(missing[0]).toMatchObject({ runId: 'r1', runName: 'far', name: 'page.html', sha256: BAD });
			expect(missing[0].reason).toMatch(reason);
		});

	it('a later retry, after its backoff, fetches the bytes and clears the missing artifact', async () => {
		const { d, reg, engine, advance } = setup();
		await signedIn(d);
		reg.hangingBlobs.add(BAD);
		await engine.syncNow();
		reg.hangingBlobs.delete(BAD);

		// Before the wait is over the blob is not asked for again.
		const asked = () => reg.requests.filter((r) => r.path === `/api/v1/blobs/${BAD}`).length;
		const before = asked();
		expect(await engine.syncNow()).toMatchObject({ ok: true, missing: 1 });
		expect(asked()).toBe(before);

		advance(60_000);
		expect(await engine.syncNow()).toMatchObject({ ok: true, missing: 0 });
		expect(engine.status.missing).toBe(0);
		expect(await listMissing(d)).toEqual([]);
		const page = await d.artifacts.where('[runId+name]').equals(['r1', 'page.html']).first();
		expect(await page?.blob.text()).toBe('+AD');
	});

	it('a failed retry keeps it missing with a longer wait; deleting the artifact forgets it', async () => {
		const { d, reg, engine, advance } = setup();
		await signedIn(d);
		reg.blobStatus.set(BAD, 500);
		await engine.syncNow();
		const first = (await listMissing(d))[0];
		advance(60_000);
		await engine.syncNow();
		const second = (await listMissing(d))[0];
		expect(second.attempts).toBe(2);
		expect(second.retryAt - 1_060_000).toBeGreaterThan(first.retryAt - 1_000_000);

		reg.add({ type: 'artifact.delete', runId: 'r1', path: 'page.html' });
		expect(await engine.syncNow()).toMatchObject({ ok: true, missing: 0 });
		expect(await listMissing(d)).toEqual([]);
	});
});
