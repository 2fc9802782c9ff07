import { createExecutionContext, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../workers/index';
import { ADMIN, envelope, experiment } from '../registry-helpers';

/**
 * A write that keeps losing to concurrent writers (here: a D1 whose every batch reports a key clash) is answered
 * 503 with Retry-After, which the browser's sync engine and MLflow's client wait out; never a 500.
 */
function contended(db: D1Database): D1Database {
	return new Proxy(db, {
		get(target, prop) {
			if (prop === 'batch')
				return () =>
					Promise.reject(
						new Error('D1_ERROR: UNIQUE constraint failed: registered_models.name: SQLITE_CONSTRAINT')
					);
			const v = Reflect.get(target, prop) as unknown;
			return typeof v === 'function' ? v.bind(target) : v;
		}
	});
}

function send(path: string, json: unknown): Promise<Response> {
	const e = env as Env;
	const req = new Request(`http://edgebook.test${path}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
		body: JSON.stringify(json)
	});
	return Promise.resolve(worker.fetch(req, { ...e, DB: contended(e.DB) } as never, createExecutionContext()));
}

describe('a write that cannot be placed', () => {
	it('answers /api/v1 with 503 unavailable and Retry-After', async () => {
		const res = await send('/api/v1/models', { name: 'busy' });
		expect(res.status).toBe(503);
		expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
	});

	it('answers MLflow with TEMPORARILY_UNAVAILABLE (503) and Retry-After', async () => {
		const res = await send('/api/2.0/mlflow/registered-models/create', { name: 'busy' });
		expect(res.status).toBe(503);
		expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(await res.json()).toMatchObject({ error_code: 'TEMPORARILY_UNAVAILABLE' });
	});

	it('answers a sync push with 503 and Retry-After, so the outbox retries it', async () => {
		const res = await send('/api/v1/sync/push', { clientId: 'busy', mutations: [envelope(1, experiment())] });
		expect(res.status).toBe(503);
		expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
	});
});
