// `npm run dev`: the Worker (API, DuckDB engine from R2) under wrangler on 127.0.0.1:8787 and the Vite dev server
// with hot reload in front of it; vite.config.ts proxies /api and /vendor to 8787. Open Vite's URL.
import { existsSync } from 'node:fs';
import { run, onShutdown } from './run.mjs';
import { startServer } from './server.mjs';

const vite = 'node_modules/vite/bin/vite.js';

// wrangler dev needs the assets directory to exist; build once on a fresh checkout. Vite serves the UI in dev.
if (!existsSync('build/index.html')) {
	console.log('First run: building the app once so the Worker has its assets directory.');
	let code = await run(process.execPath, [vite, 'build']);
	if (code === 0) code = await run(process.execPath, ['scripts/spa-headers.mjs']);
	if (code !== 0) process.exit(code);
}

let server;
try {
	server = await startServer({ port: 8787, persistTo: '.wrangler/state' });
} catch (err) {
	console.error(`\n${err.message}`);
	process.exit(1);
}
onShutdown(server.stop);
console.log(`\nWorker ready at ${server.url}; starting Vite…\n`);

const code = await run(process.execPath, [vite, 'dev', ...process.argv.slice(2)]);
await server.stop();
process.exit(code);
