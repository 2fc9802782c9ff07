import { Hono } from 'hono';
import { ApiError, jsonError, onError } from './errors';
import { cors } from './http/cors';
import { safeHeaders } from './http/safe-headers';
import { mlflow } from './mlflow';
import { health } from './routes/health';
import { registry } from './routes/v1';
import { vendor } from './routes/vendor';
import type { AppEnv } from './types';

// The Worker: the registry API and the large vendor files. Everything else is the SPA, served by the
// assets binding (wrangler.toml routes only /api/* and /vendor/* here first).
const app = new Hono<AppEnv>();

// Outermost, so errors, 404s and CORS preflights get the same headers as every answer.
app.use('*', safeHeaders);

// CORS before every API route, so a listed origin's preflight is answered before authentication runs.
app.use('/api/*', cors);

// Public: liveness (no data in it) and the engine files the SPA loads before anyone signs in.
app.route('/api/v1/health', health);
app.route('/vendor', vendor);

// Everything else under /api is the registry, in our shape and in MLflow's; both need a bearer token.
app.route('/api/v1', registry);
app.route('/api/2.0', mlflow);

app.notFound((c) => {
	const path = new URL(c.req.url).pathname;
	if (path.startsWith('/api/') || path === '/api' || path.startsWith('/vendor/')) {
		return jsonError(
			c,
			new ApiError({ status: 404, code: 'not_found', message: `No route ${c.req.method} ${path}` })
		);
	}
	// Reached only if run_worker_first widens; keep the SPA working by handing over to the assets.
	return c.env.ASSETS.fetch(c.req.raw);
});
app.onError(onError);

/** Whether this isolate has started readying onnxruntime (see workers/inference/warm.ts). */
let warmed = false;

export default {
	fetch(request: Request, env: Env, ctx: ExecutionContext) {
		// The isolate's first request, whatever it is, starts ORT in the background, so the first prediction
		// finds it ready rather than paying for it (docs/architecture.md, "The inference service").
		if (!warmed) {
			warmed = true;
			ctx.waitUntil(import('./inference/warm').then((m) => m.warmInference()));
		}
		return app.fetch(request, env, ctx);
	},
	/** The Cron Trigger: canaries that have run their time end, scheduled retraining opens (workers/retrain/schedule.ts). */
	async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
		ctx.waitUntil(import('./retrain/schedule').then((m) => m.scheduledRetraining(env)));
	}
} satisfies ExportedHandler<Env>;
// Durable Object classes are exported from the main module for wrangler.toml's bindings.
export { RateLimiter } from './http/rate-limiter';
export { PredictionLog } from './predictions/log-object';
export { BatchJob } from './batch/job-object';
export { FederatedJob } from './federated/job-object';
