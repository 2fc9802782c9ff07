// Small helpers for scripts that run other commands and must stop cleanly on Ctrl+C.
import { spawn } from 'node:child_process';
import { ROOT } from './wrangler.mjs';

/** Runs `cmd args` inheriting the terminal; resolves with its exit code. */
export function run(cmd, args, opts = {}) {
	return new Promise((res, rej) => {
		const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
		child.on('error', rej);
		child.on('close', (code, signal) => res(code ?? (signal ? 128 : 1)));
	});
}

/** Calls `cleanup` once on SIGINT/SIGTERM, then exits. */
export function onShutdown(cleanup) {
	let done = false;
	for (const sig of ['SIGINT', 'SIGTERM']) {
		process.on(sig, async () => {
			if (done) return;
			done = true;
			await cleanup();
			process.exit(0);
		});
	}
}
