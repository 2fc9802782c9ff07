import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer } from '../scripts/server.mjs';

// Starts the built app once for the whole run, on a free port with fresh local state (so tests never see data
// from `npm start` or an earlier run). Playwright runs the returned function as the teardown. Workers start
// after this, inheriting EDGEBOOK_URL, which playwright.config.ts reads as baseURL.
export default async function globalSetup(): Promise<() => Promise<void>> {
	const persistTo = mkdtempSync(join(tmpdir(), 'edgebook-e2e-'));
	const cleanup = () => rmSync(persistTo, { recursive: true, force: true });
	let server: Awaited<ReturnType<typeof startServer>>;
	try {
		// Journeys sign in to the registry with this token (admin of the local workspace), as a user would
		// with the one `npm start` prints.
		process.env.EDGEBOOK_ADMIN_TOKEN = `e2e-admin-${randomBytes(12).toString('hex')}`;
		server = await startServer({
			port: await freePort(),
			persistTo,
			quiet: true,
			adminToken: process.env.EDGEBOOK_ADMIN_TOKEN
		});
	} catch (err) {
		cleanup();
		throw err;
	}
	process.env.EDGEBOOK_URL = server.url;
	// Specs that must reach into local storage (wrangler r2 … --local --persist-to) find it here.
	process.env.EDGEBOOK_STATE = persistTo;
	console.log(`e2e: app at ${server.url} (state in ${persistTo})`);
	return async () => {
		await server.stop();
		cleanup();
	};
}
