// `npm start`: build the app, then serve it and the Worker on http://127.0.0.1:8787 until Ctrl+C.
// State (D1, R2) persists in .wrangler/state across restarts.
import { run, onShutdown } from './run.mjs';
import { ensureAdminToken } from './admin-token.mjs';
import { startServer } from './server.mjs';

let code = await run(process.execPath, ['node_modules/vite/bin/vite.js', 'build']);
// The app page's CSP and security headers (build/_headers), as `npm run build` writes them.
if (code === 0) code = await run(process.execPath, ['scripts/spa-headers.mjs']);
if (code !== 0) {
	console.error('\nvite build failed; not starting the server.');
	process.exit(code);
}

try {
	const server = await startServer({ port: 8787, persistTo: '.wrangler/state' });
	onShutdown(server.stop);
	const minted = await ensureAdminToken({ persistTo: '.wrangler/state' });
	if (minted) {
		console.log(
			`\nThe local workspace's admin token (shown once; only its hash is stored):\n\n    ${minted}\n\n` +
				'Paste it into Edgebook\'s "Sign in to a registry" form, or point scripts and MLflow clients at the\n' +
				'registry with it. To choose your own instead, put EDGEBOOK_ADMIN_TOKEN=... in .dev.vars.'
		);
	}
	console.log(`\nEdgebook is running at ${server.url}  (Ctrl+C to stop)\n`);
} catch (err) {
	console.error(`\n${err.message}`);
	process.exit(1);
}
