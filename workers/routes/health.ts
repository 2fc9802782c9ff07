import { Hono } from 'hono';
import { version } from '../../package.json';
import { ApiError } from '../errors';
import type { AppEnv } from '../types';

// wrangler (and applyD1Migrations in tests) record each applied migration file in this table.
const MIGRATIONS_TABLE = 'd1_migrations';

export const health = new Hono<AppEnv>();

health.get('/', async (c) => {
	const row = await latestMigration(c.env.DB);
	return c.json({
		status: 'ok',
		version,
		schemaVersion: row.count,
		latestMigration: row.name
	});
});

async function latestMigration(db: D1Database): Promise<{ count: number; name: string | null }> {
	try {
		const row = await db
			.prepare(
				`SELECT (SELECT COUNT(*) FROM ${MIGRATIONS_TABLE}) AS count,
				        (SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id DESC LIMIT 1) AS name`
			)
			.first<{ count: number; name: string | null }>();
		return row ?? { count: 0, name: null };
	} catch (err) {
		// No table means migrations never ran; say how to fix it rather than a bare 500.
		if (String(err).includes('no such table')) {
			throw new ApiError({
				status: 503,
				code: 'not_migrated',
				message:
					'The database has no migrations applied. Run `npm start` (it applies them) or ' +
					'`npx wrangler d1 migrations apply DB --local`.'
			});
		}
		throw err;
	}
}
