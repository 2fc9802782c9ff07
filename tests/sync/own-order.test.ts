import { FakeRegistry, freshDb, signedIn } from './fake-registry';
import { describe, expect, it } from 'vitest';
import { SyncEngine } from '$lib/sync/engine';
import { setAlias } from '$lib/sync/models';
import { logMetrics } from '$lib/tracking/runs';
import { newRun } from '../tracking/helpers';

/**
 * Last writer wins in the REGISTRY's order. A remote change applied there before ours, but pulled here after
 * our push, must not overwrite ours: the chaos test caught two browsers ending on different "champion" versions.
 */

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

/** Whether each pull asked the registry to leave our own changes out. */
const excluded = (reg: FakeRegistry) =>
	reg.requests
		.filter((r) => r.path === '/api/v1/sync/pull')
		.map((r) => new URLSearchParams(r.search).has('exclude'));

describe('own last-writer-wins changes keep the registry order', () => {
	it('a remote alias applied before ours does not win here when pulled after our push', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		reg.add({ type: 'model.create', name: 'm' }, { created: true });
		for (const id of ['v1', 'v2'])
			reg.add(
				{
					type: 'model.version.create',
					id,
					modelName: 'm',
					sourceRunId: null,
					artifactSha256: null,
					signature: null
				},
				{ version: id === 'v1' ? 1 : 2 }
			);
		await engine.syncNow();

		await setAlias({ modelName: 'm', alias: 'champion', versionId: 'v2', db: d });
		// Another browser's promotion reaches the registry first; ours is applied after it, so ours wins there.
		reg.add(
			{ type: 'model.alias.set', modelName: 'm', alias: 'champion', ref: { version: 1 } },
			{ version: 1 }
		);
		expect(await engine.syncNow()).toMatchObject({ ok: true });

		const last = reg.log.filter((l) => l.mutation.type === 'model.alias.set').at(-1)?.mutation;
		expect(last).toMatchObject({ ref: { versionId: 'v2' } });
		expect((await d.models.get('m'))?.aliases).toEqual({ champion: 'v2' });
		expect(excluded(reg).at(-1)).toBe(false);

		// Once replayed, later pulls skip our own changes again, and a later remote change does win.
		reg.add(
			{ type: 'model.alias.set', modelName: 'm', alias: 'champion', ref: { version: 1 } },
			{ version: 1 }
		);
		await engine.syncNow();
		expect((await d.models.get('m'))?.aliases).toEqual({ champion: 'v1' });
		expect(excluded(reg).at(-1)).toBe(true);
	});

	it('pushing only metric points keeps excluding our own changes from the pull (no bytes pulled twice)', async () => {
		const { d, reg, engine } = setup();
		await signedIn(d);
		const run = await newRun();
		await logMetrics(run.id, [{ key: 'loss', value: 1, step: 0 }]);
		await engine.syncNow();
		const own = await engine.syncNow();
		expect(own).toMatchObject({ ok: true, pulled: 0 });
		expect(excluded(reg)).toEqual([true, true]);
		expect(await d.metrics.count()).toBe(1);
	});
});
