// `npm run test:deploy`: bundle the Worker as `wrangler deploy` would (--dry-run: no account, no upload) and fail
// when the build breaks a Cloudflare limit that local `wrangler dev` would let through.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { gzipSync } from 'node:zlib';
import { checkDeployLimits, formatBytes, LIMITS } from './deploy-limits.mjs';
import { ROOT, runWrangler } from './wrangler.mjs';

/** @param {string} dir @returns {string[]} */
function walk(dir) {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]
	);
}

/** Bundles the Worker; returns its gzipped size, or the wrangler error (it refuses oversized assets itself). */
async function bundleWorker() {
	const outdir = mkdtempSync(join(tmpdir(), 'edgebook-deploy-'));
	try {
		await runWrangler(['deploy', '--dry-run', '--outdir', outdir], { quiet: true });
		// What wrangler would upload as the script: JS modules and wasm, not its README or source maps.
		const modules = walk(outdir).filter((f) => !f.endsWith('.map') && !f.endsWith('README.md'));
		const raw = modules.reduce((n, f) => n + statSync(f).size, 0);
		const gzip = modules.reduce((n, f) => n + gzipSync(readFileSync(f)).length, 0);
		return { raw, gzip, error: null };
	} catch (err) {
		return { raw: 0, gzip: 0, error: stripVTControlCharacters(/** @type {Error} */ (err).message) };
	} finally {
		rmSync(outdir, { recursive: true, force: true });
	}
}

const buildDir = join(ROOT, 'build');
if (!existsSync(join(buildDir, 'index.html'))) {
	console.error('build/index.html is missing: run `npm run build` first.');
	process.exit(1);
}

const assets = walk(buildDir).map((f) => ({ path: relative(ROOT, f), bytes: statSync(f).size }));
const worker = await bundleWorker();

console.log(
	worker.error
		? 'Worker bundle: not measured (wrangler deploy --dry-run failed)'
		: `Worker bundle: ${formatBytes(worker.raw)} raw, ${formatBytes(worker.gzip)} gzipped ` +
				`(limit ${formatBytes(LIMITS.workerGzipBytes)})`
);
console.log(
	`Static assets: ${assets.length} files (limit ${formatBytes(LIMITS.assetFileBytes)} each); largest:`
);
for (const a of [...assets].sort((a, b) => b.bytes - a.bytes).slice(0, 3)) {
	console.log(`  ${formatBytes(a.bytes).padStart(10)}  ${a.path}`);
}

const { problems } = checkDeployLimits({ assets, workerGzipBytes: worker.gzip });
if (worker.error) problems.push(worker.error.trim());
if (problems.length > 0) {
	console.error('\nThe build would not deploy to Cloudflare:');
	for (const p of problems) console.error(`  ✗ ${p}`);
	process.exit(1);
}
console.log('\nWithin Cloudflare deploy limits.');
