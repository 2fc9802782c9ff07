import { abortAllDurableObjects, applyD1Migrations, reset } from 'cloudflare:test';
import { testEnv } from './helpers';

// Runs before each test file. The files share one workerd (isolate: false in vitest.worker.config.ts: one runtime
// instead of one per file cut this tier from about 300 s to about 90 s on 2 cores), so each file first gets the
// storage a fresh install has: every binding emptied (D1, R2, Durable Object storage), every Durable Object
// instance restarted (the rate limiter's buckets live in memory), then the same numbered files
// `wrangler d1 migrations apply` uses, recorded in the same d1_migrations table, so the health route sees what a
// real install sees.
await reset();
await abortAllDurableObjects();
await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);
