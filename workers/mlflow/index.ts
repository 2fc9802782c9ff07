import { Hono } from 'hono';
import { authenticate } from '../auth/middleware';
import type { AppEnv } from '../types';

/** MLflow's REST API (/api/2.0/mlflow) and artifact proxy (/api/2.0/mlflow-artifacts) over the same registry. */
export const mlflow = new Hono<AppEnv>();
mlflow.use('*', authenticate);
