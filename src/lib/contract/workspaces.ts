import { z } from 'zod';
import { LIMITS } from './limits';

/** A workspace groups tokens, experiments, runs and models; nothing crosses between workspaces. */
export const workspaceIdSchema = z
	.string()
	.regex(
		/^[a-z0-9][a-z0-9_-]{1,39}$/,
		'a workspace id has 2-40 lowercase letters, digits, _ or -, starting with a letter or digit'
	);

export const workspaceCreateSchema = z.strictObject({
	id: workspaceIdSchema,
	name: z.string().trim().min(1).max(LIMITS.nameLength)
});
export const workspaceUpdateSchema = z.strictObject({
	name: z.string().trim().min(1).max(LIMITS.nameLength)
});

export const workspaceSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
export type Workspace = z.infer<typeof workspaceSchema>;
