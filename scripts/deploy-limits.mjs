// Cloudflare's limits that a local `wrangler dev` does not enforce but `wrangler deploy` does. Pure, so the check
// itself is unit-tested (tests/scripts/deploy-limits.test.ts) and can be seen to fail.

/** @typedef {{ assetFileBytes: number, assetFileCount: number, workerGzipBytes: number }} Limits */

export const MiB = 1024 * 1024;
/** @type {Readonly<Limits>} */
export const LIMITS = Object.freeze({
	assetFileBytes: 25 * MiB, // per static asset file
	assetFileCount: 20_000, // files per Worker version (Free plan)
	// Worker bundle after gzip. The Paid plan's 10 MiB, not the Free plan's 3 MiB: the predict route bundles
	// onnxruntime-web's wasm (~3.7 MB gzipped on its own), which no Free-plan Worker can hold.
	workerGzipBytes: 10 * MiB
});

/**
 * @param {{ assets: { path: string, bytes: number }[], workerGzipBytes: number, limits?: Limits }} opts
 * @returns {{ ok: boolean, problems: string[] }}
 */
export function checkDeployLimits({ assets, workerGzipBytes, limits = LIMITS }) {
	/** @type {string[]} */
	const problems = [];
	for (const { path, bytes } of assets) {
		if (bytes > limits.assetFileBytes) {
			problems.push(
				`${path} is ${formatBytes(bytes)}, over the ${formatBytes(limits.assetFileBytes)} limit per static asset ` +
					'(serve it from R2 through the Worker, like /vendor/duckdb)'
			);
		}
	}
	if (assets.length > limits.assetFileCount) {
		problems.push(`build/ has ${assets.length} files, over the ${limits.assetFileCount} asset files limit`);
	}
	if (workerGzipBytes > limits.workerGzipBytes) {
		problems.push(
			`the Worker bundle is ${formatBytes(workerGzipBytes)} gzipped, over the ${formatBytes(limits.workerGzipBytes)} limit`
		);
	}
	return { ok: problems.length === 0, problems };
}

/** @param {number} bytes */
export function formatBytes(bytes) {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < MiB) return `${(bytes / 1024).toFixed(1)} KiB`;
	return `${(bytes / MiB).toFixed(2)} MiB`;
}
