import { describe, expect, it } from 'vitest';
import { checkDeployLimits, formatBytes, LIMITS, MiB } from '../../scripts/deploy-limits.mjs';

const small = { path: 'build/index.html', bytes: 2_000 };

describe('checkDeployLimits', () => {
	it.each([
		{ name: 'small app', assets: [small], gzip: 200_000, problems: [] },
		{
			name: 'asset exactly at 25 MiB',
			assets: [{ path: 'build/a.bin', bytes: 25 * MiB }],
			gzip: 0,
			problems: []
		},
		{
			name: 'asset one byte over 25 MiB',
			assets: [small, { path: 'build/_app/duckdb-eh.wasm', bytes: 25 * MiB + 1 }],
			gzip: 0,
			problems: ['build/_app/duckdb-eh.wasm']
		},
		// The Paid plan's limit: ORT's wasm alone is ~3.7 MB gzipped, over the Free plan's 3 MiB.
		{ name: 'Worker with ORT, 4 MiB gzipped', assets: [small], gzip: 4 * MiB, problems: [] },
		{ name: 'Worker exactly 10 MiB gzipped', assets: [small], gzip: 10 * MiB, problems: [] },
		{ name: 'Worker over 10 MiB gzipped', assets: [small], gzip: 10 * MiB + 1, problems: ['Worker bundle'] },
		{
			name: 'both over',
			assets: [{ path: 'build/huge.wasm', bytes: 34_242_586 }],
			gzip: 11 * MiB,
			problems: ['build/huge.wasm', 'Worker bundle']
		}
	])('$name', ({ assets, gzip, problems }) => {
		const result = checkDeployLimits({ assets, workerGzipBytes: gzip });
		expect(result.ok).toBe(problems.length === 0);
		expect(result.problems).toHaveLength(problems.length);
		problems.forEach((needle, i) => expect(result.problems[i]).toContain(needle));
	});

	it('counts files against the asset file limit', () => {
		const assets = Array.from({ length: 3 }, (_, i) => ({ path: `build/${i}`, bytes: 1 }));
		const result = checkDeployLimits({
			assets,
			workerGzipBytes: 0,
			limits: { ...LIMITS, assetFileCount: 2 }
		});
		expect(result.problems).toEqual(['build/ has 3 files, over the 2 asset files limit']);
	});
});

describe('formatBytes', () => {
	it.each([
		[512, '512 B'],
		[2048, '2.0 KiB'],
		[34_242_586, '32.66 MiB']
	])('%d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});
