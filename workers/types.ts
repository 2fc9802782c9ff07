// Hono's generic for every route group: the bindings are the `Env` that `wrangler types` generates.
export type AppEnv = { Bindings: Env };
