import { expect, it, vi } from 'vitest';

const wasm = vi.hoisted(() => ({ starts: 0, fail: true }));

// The decoder's start (a 6.6 MB fetch and compile) stands in for the real one: it fails until told otherwise.
vi.mock('parquet-wasm/esm/parquet_wasm.js', () => ({
	default: async () => {
		wasm.starts++;
		if (wasm.fail) throw new Error('network error while fetching parquet_wasm_bg.wasm');
	},
	ParquetFile: {},
	Table: {},
	writeParquet: () => new Uint8Array()
}));

const { ensureInit } = await import('$lib/data/parquet');

it('a failed start of the Parquet decoder is tried again by the next Parquet file, and a good one is kept', async () => {
	await expect(ensureInit()).rejects.toThrow('network error');
	wasm.fail = false;
	await expect(ensureInit()).resolves.toBeUndefined();
	expect(wasm.starts).toBe(2);
	await ensureInit();
	expect(wasm.starts).toBe(2);
});
