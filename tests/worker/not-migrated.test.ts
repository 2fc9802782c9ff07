import { describe, expect, it } from 'vitest';
import { call, testEnv, type ErrorJson } from './helpers';

// Storage is per test file (pool-workers 0.13+), so dropping the table here leaves other files untouched.
describe('health before migrations', () => {
	it('503 JSON that says how to apply them, not a bare 500', async () => {
		await testEnv.DB.exec('DROP TABLE d1_migrations');
		const res = await call('/api/v1/health');
		expect(res.status).toBe(503);
		const body = await res.json<ErrorJson>();
		expect(body.error.code).toBe('not_migrated');
		expect(body.error.message).toContain('npm start');
	});
});
