import { describe, expect, it } from 'vitest';
import { call } from '../helpers';
import { otherWorkspaceToken } from '../registry-helpers';
import { fails, ml } from './helpers';

// Errors raised by the shared auth middleware and body reader reach the MLflow sub-app's onError (Hono wraps
// a mounted app's routes and middleware with its handler), so they come back in MLflow's shape.
describe('MLflow error shape', () => {
	it('answers a missing token with UNAUTHENTICATED 401', async () => {
		await fails(
			ml('/experiments/get', { query: { experiment_id: '1' }, token: null }),
			401,
			'UNAUTHENTICATED'
		);
	});

	it('answers an unknown token with UNAUTHENTICATED 401', async () => {
		await fails(
			ml('/experiments/get', { query: { experiment_id: '1' }, token: 'nope' }),
			401,
			'UNAUTHENTICATED'
		);
	});

	it('answers a token without the scope with PERMISSION_DENIED 403', async () => {
		const reader = await otherWorkspaceToken('local', ['read']);
		await fails(ml('/experiments/create', { json: { name: 'x' }, token: reader }), 403, 'PERMISSION_DENIED');
	});

	it('answers an unknown endpoint with ENDPOINT_NOT_FOUND 404', async () => {
		await fails(ml('/nothing/here'), 404, 'ENDPOINT_NOT_FOUND');
	});

	it('answers a body that is not JSON with BAD_REQUEST 400', async () => {
		const res = await call('/api/2.0/mlflow/experiments/create', {
			method: 'POST',
			headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
			body: '{not json'
		});
		await fails(res, 400, 'BAD_REQUEST');
	});

	it('names a missing required field as MLflow does', async () => {
		const msg = await fails(ml('/experiments/create', { json: {} }), 400, 'INVALID_PARAMETER_VALUE');
		expect(msg).toBe("Missing value for required parameter 'name'.");
	});

	it('names a field of the wrong type', async () => {
		const msg = await fails(ml('/experiments/create', { json: { name: 5 } }), 400, 'INVALID_PARAMETER_VALUE');
		expect(msg).toMatch(/parameter 'name'/);
	});

	it('answers a too-large body with 413 and an MLflow error code', async () => {
		const res = await call('/api/2.0/mlflow/runs/log-batch', {
			method: 'POST',
			headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
			body: JSON.stringify({ run_id: 'r', tags: [{ key: 'k', value: 'x'.repeat(1_100_000) }] })
		});
		await fails(res, 413, 'BAD_REQUEST');
	});
});
