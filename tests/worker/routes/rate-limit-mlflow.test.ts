import { describe, it } from 'vitest';
import { expectLimited } from './rate-limit';
import { label, MLFLOW_ROUTES } from './table';

// Every /api/2.0 route from the router's own table. Fails on the code before issue 8's rate-limit work: the
// MLflow router had no rate limit at all (section "limits": one limiter on every authenticated route).
describe('rate limit on every MLflow route', () => {
	it.each(MLFLOW_ROUTES.map((r) => [label(r), r] as const))(
		'%s: 429 with Retry-After past the limit',
		(_, r) => expectLimited(r)
	);
});
