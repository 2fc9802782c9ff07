// Runs the repo's pinned wrangler (4.86: the newest that runs on Node 20) without npx, never prompting and never
// sending metrics. Shared by the start, dev, test and deploy-check scripts.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WRANGLER = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));

export const wranglerEnv = () => ({ ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' });

/**
 * Spawns `wrangler <args>`. stdin is closed, so wrangler sees no TTY and takes its non-interactive defaults
 * (e.g. `d1 migrations apply` answers its "continue?" with yes).
 */
export function spawnWrangler(args, opts = {}) {
	return spawn(process.execPath, [WRANGLER, ...args], {
		cwd: ROOT,
		env: wranglerEnv(),
		stdio: ['ignore', 'pipe', 'pipe'],
		...opts
	});
}

/** Runs a wrangler command to completion; rejects with its output when it fails. */
export function runWrangler(args, { quiet = false } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawnWrangler(args);
		let output = '';
		const collect = (chunk) => {
			output += chunk;
			if (!quiet) process.stdout.write(chunk);
		};
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0) resolve(output);
			else reject(new Error(`wrangler ${args.join(' ')} exited with ${code}\n${quiet ? output : ''}`));
		});
	});
}
