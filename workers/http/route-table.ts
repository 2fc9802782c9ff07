/** One endpoint of a Hono app: its method and its full path pattern (`:param`, `:param{regex}`, `*`). */
export interface RouteEntry {
	method: string;
	path: string;
}

/**
 * The endpoints an app serves, each once, under the prefix it is mounted at: what tests enumerate so that a new
 * route is covered by the auth, rate-limit, isolation and fuzz properties without anyone adding it to a list.
 * Middleware and catch-alls register as method ALL and are left out; Hono answers HEAD with the GET route.
 */
export function routeTable(app: { routes: RouteEntry[] }, prefix = ''): RouteEntry[] {
	const seen = new Set<string>();
	const out: RouteEntry[] = [];
	for (const r of app.routes) {
		if (r.method === 'ALL') continue;
		const path = `${prefix}${r.path}`.replace(/(.)\/$/, '$1');
		const key = `${r.method} ${path}`;
		if (seen.has(key)) continue;
		seen.add(key);
		out.push({ method: r.method, path });
	}
	return out;
}
