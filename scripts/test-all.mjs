// `npm test`: every tier in order, stopping at the first failure and naming it. Cheap static checks first so a
// typo fails in seconds, the browser tier last.
import { run } from './run.mjs';

const TIERS = [
	['check', 'types: svelte-check, tsc (Worker, e2e), wrangler types'],
	['lint', 'eslint + prettier'],
	['test:unit', 'unit tests (node)'],
	['test:worker', 'Worker tests (workerd)'],
	['build', 'vite build'],
	['test:chaos', 'sync under a bad network and a registry restart (real Worker)'],
	['test:deploy', 'Cloudflare deploy limits'],
	['test:e2e', 'browser tests (Chromium)']
];

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const seconds = (t0) => ((performance.now() - t0) / 1000).toFixed(1);
const results = [];
const started = performance.now();

for (const [script, what] of TIERS) {
	console.log(`\n━━━ ${script} — ${what} ━━━\n`);
	const t0 = performance.now();
	const code = await run(npm, ['run', '--silent', script]);
	results.push(`  ${code === 0 ? '✓' : '✗'} ${script.padEnd(12)} ${seconds(t0).padStart(6)} s`);
	console.log(
		`\n${code === 0 ? '✓' : '✗'} ${script} ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds(t0)} s`
	);
	if (code !== 0) {
		console.log(
			`\n${results.join('\n')}\n\nnpm test stopped: tier "${script}" failed. Re-run it alone with \`npm run ${script}\`.`
		);
		process.exit(code);
	}
}
console.log(`\n${results.join('\n')}\n\nAll ${TIERS.length} tiers passed in ${seconds(started)} s.`);
