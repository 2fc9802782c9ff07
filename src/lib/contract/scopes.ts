import { z } from 'zod';
import { LIMITS } from './limits';

/**
 * What a token may do. `read` and `write` cover runs, experiments, artifacts and models; `deploy` promotes model
 * versions (aliases); `predict` calls the inference API; `federate` takes part in federated rounds; `admin`
 * manages the workspace's tokens and implies every other scope.
 */
export const SCOPES = ['read', 'write', 'deploy', 'predict', 'federate', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const tokenCreateSchema = z.strictObject({
	name: z.string().trim().min(1).max(LIMITS.nameLength),
	scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length)
});
export type TokenCreate = z.infer<typeof tokenCreateSchema>;

export const tokenInfoSchema = z.object({
	id: z.string(),
	workspaceId: z.string(),
	name: z.string(),
	scopes: z.array(z.enum(SCOPES)),
	createdAt: z.number(),
	lastUsedAt: z.number().nullable(),
	revokedAt: z.number().nullable(),
	/** A participation token's one federated job (it may act on nothing else); null for a workspace token. */
	federatedJob: z.string().nullable()
});
export type TokenInfo = z.infer<typeof tokenInfoSchema>;

/** The secret is returned once, at creation; only its hash is stored. */
export const tokenCreatedSchema = z.object({ token: tokenInfoSchema, secret: z.string() });

/** `eb_<token id>_<secret>`: the id finds the row, the secret is checked against its stored sha-256. */
export const TOKEN_PATTERN = /^eb_([A-Za-z0-9]{8,32})_([A-Za-z0-9_-]{32,128})$/;
