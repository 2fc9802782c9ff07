import type { Scope } from '../src/lib/contract';

/** Who is calling: set by the auth middleware on every registry route. */
export interface Caller {
	tokenId: string;
	workspaceId: string;
	scopes: readonly Scope[];
	/** A participation token's one federated job; null for a workspace token. */
	federatedJob: string | null;
}

// Hono's generic for every route group. `Env` is what `wrangler types` generates from wrangler.toml; the admin
// token is a secret (`.dev.vars` or `--var`), so it is typed here rather than in the generated file; so is
// SEARCH_IN_MEMORY (`--var SEARCH_IN_MEMORY:1`), which only the search bench sets.
export type AppEnv = {
	Bindings: Env & {
		EDGEBOOK_ADMIN_TOKEN?: string;
		CORS_ORIGINS?: string;
		RATE_LIMIT_PER_MINUTE?: string;
		SEARCH_IN_MEMORY?: string;
	};
	Variables: { caller: Caller };
};
