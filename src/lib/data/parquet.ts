import init, { ParquetFile, writeParquet, Table as WasmTable } from 'parquet-wasm/esm/parquet_wasm.js';
import wasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { LoadError } from './load-error';

let ready: Promise<unknown> | null = null;
/**
 * parquet-wasm is 6.6 MB of wasm: fetched once, on the first Parquet file, never on page load. A start that
 * failed (the fetch cut off on a busy machine) is forgotten, so the next Parquet file tries again instead of
 * failing like this one until the page is reloaded.
 */
export function ensureInit(): Promise<unknown> {
	ready ??= init({ module_or_path: wasmUrl }).catch((e: unknown) => {
		ready = null;
		throw e;
	});
	return ready;
}

/** Decode a Parquet file one row group at a time, as Arrow IPC streams, so loads show progress and can stop. */
export async function* readParquetGroups(
	bytes: Uint8Array,
	fileName: string
): AsyncGenerator<{ ipc: Uint8Array; rowsRead: number; rowsTotal: number }> {
	await ensureInit();
	let file: ParquetFile;
	try {
		file = await ParquetFile.fromFile(new Blob([bytes as BlobPart]));
	} catch (e) {
		throw new LoadError('ParquetFormatError', `${fileName} is not a readable Parquet file: ${text(e)}`);
	}
	try {
		const meta = file.metadata();
		const fileMeta = meta.fileMetadata();
		const rowsTotal = Number(fileMeta.numRows());
		const groups = meta.numRowGroups();
		let rowsRead = 0;
		for (let i = 0; i < groups; i++) {
			let table: WasmTable;
			try {
				table = await file.read({ rowGroups: [i] });
			} catch (e) {
				throw new LoadError(
					'ParquetFormatError',
					`${fileName}: row group ${i + 1} of ${groups} is unreadable: ${text(e)}`
				);
			}
			rowsRead += Number(meta.rowGroup(i).numRows());
			yield { ipc: table.intoIPCStream(), rowsRead, rowsTotal };
		}
	} finally {
		file.free();
	}
}

/** Encode an Arrow IPC stream as Parquet (zstd), for "export as Parquet". */
export async function ipcToParquet(ipc: Uint8Array): Promise<Uint8Array> {
	await ensureInit();
	return writeParquet(WasmTable.fromIPCStream(ipc));
}

function text(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}
