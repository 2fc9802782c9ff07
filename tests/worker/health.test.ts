import { describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import { call, testEnv } from './helpers';

type Health = { status: string; version: string; schemaVersion: number; latestMigration: string };

describe('GET /api/v1/health', () => {
	it('reports the package version and every migration file as applied', async () => {
		const files = testEnv.TEST_MIGRATIONS.map((m) => m.name);
		expect(files[0]).toBe('0001_init.sql');

		const res = await call('/api/v1/health');
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^application\/json/);
		expect(await res.json<Health>()).toEqual({
			status: 'ok',
			version,
			schemaVersion: files.length,
			latestMigration: files.at(-1)
		});
	});

	it('the first migration creates the default local workspace', async () => {
		const row = await testEnv.DB.prepare('SELECT id FROM workspaces').first<{ id: string }>();
		expect(row?.id).toBe('local');
	});
});
