import { applyD1Migrations } from 'cloudflare:test';
import { testEnv } from './helpers';

// Runs before each test file: the same numbered files `wrangler d1 migrations apply` uses, recorded in the same
// d1_migrations table, so the health route sees what a real install sees. Idempotent.
await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);
