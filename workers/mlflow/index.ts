import { Hono } from 'hono';
import { authenticate } from '../auth/middleware';
import { rateLimit } from '../http/rate-limit';
import type { AppEnv } from '../types';
import { artifacts } from './artifacts';
import { artifactsList } from './artifacts-list';
import { MlflowError, mlflowOnError } from './errors';
import { experiments } from './experiments';
import { metrics } from './metrics';
import { models } from './models';
import { runs } from './runs';
import { versions } from './versions';

/**
 * MLflow's REST API (/api/2.0/mlflow) and artifact proxy (/api/2.0/mlflow-artifacts) over the same registry, so an
 * unchanged MLflow client can log runs and register models here. Every write is a contract mutation applied by
 * the registry's one write path; answers and errors take MLflow's shapes (`{error_code, message}`).
 */
export const mlflow = new Hono<AppEnv>();
// Set before the parent mounts this app: Hono wraps each route with the sub-app's handler at mount time, and it
// then catches what authenticate and the body readers throw too.
mlflow.onError(mlflowOnError);
mlflow.use('*', authenticate);
// The same per-token budget as /api/v1 (one bucket per token for both APIs).
mlflow.use('*', rateLimit);
mlflow.route('/mlflow/experiments', experiments);
mlflow.route('/mlflow/runs', runs);
mlflow.route('/mlflow', metrics);
mlflow.route('/mlflow/registered-models', models);
mlflow.route('/mlflow/model-versions', versions);
mlflow.route('/mlflow/artifacts', artifactsList);
mlflow.route('/', artifacts);
mlflow.all('*', (c) => {
	throw new MlflowError(
		'ENDPOINT_NOT_FOUND',
		`No MLflow endpoint ${c.req.method} ${new URL(c.req.url).pathname}`
	);
});
