import { Hono } from 'hono';
import type { AppEnv } from '../../types';

/** Who the token is: the browser's sign-in form checks a pasted token with this. Any valid token may ask. */
export const me = new Hono<AppEnv>();

me.get('/', (c) => {
	const { tokenId, workspaceId, scopes } = c.get('caller');
	return c.json({ tokenId, workspaceId, scopes }, 200);
});
