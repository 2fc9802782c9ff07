import { tableFromIPC } from 'apache-arrow';
import { detectFormat, checkUtf8, checkParquetFooter } from './file-kind';
import { jsonToArrow, arrowToIpcStream } from './json-arrow';
import { friendlyDuckDBError } from './sql-text';
import { Engine, cancelled, type Conn } from './engine';
import { quoteIdent, quoteString } from './sql-ident';
import { ensureInit as warmParquet, readParquetGroups } from './parquet';
import { LoadError } from './load-error';
import { readBlob } from './read-blob';
import { checkCsv, lineOfRecord, sniffDelimiter } from './csv-check';
import { mostlyNumericText, textColumnNote } from './text-columns';
import type { FileProblem } from './file-kind';

/** Longer lines are refused with a clear error; DuckDB's own default (2 MB) is raised to match. */
const MAX_LINE_BYTES = 8 << 20;

/** Stable error names for the file checks, in the same style as DuckDB's (`ParquetFormatError`). */
function problemName(problem: FileProblem, fileName: string): string {
	switch (problem) {
		case 'empty':
			return 'EmptyFile';
		case 'unknown-extension':
		case 'compressed':
			return 'UnsupportedFormat';
		case 'not-json':
			return 'JsonFormatError';
		case 'binary-text':
		case 'utf16':
			return 'EncodingError';
		case 'truncated':
			return 'ParquetFormatError';
		case 'bad-magic': {
			const ext = /\.([a-z]+)$/i.exec(fileName)?.[1].toLowerCase() ?? '';
			if (['parquet', 'pq'].includes(ext)) return 'ParquetFormatError';
			if (['arrow', 'arrows', 'ipc', 'feather'].includes(ext)) return 'ArrowFormatError';
			return 'FormatMismatch';
		}
	}
}
import type { DataFormat, DatasetNote, Fingerprint, LoadProgress } from './types';

export interface LoadRequest {
	file: Blob;
	fileName: string;
	table: string;
	/** The caller's job number, for cancel. */
	job: number;
	onProgress?: (p: LoadProgress) => void;
}

/**
 * Load a file into a new DuckDB table. It lands in a staging table that is renamed only when complete,
 * so a failed or cancelled load never leaves half a table behind or touches existing ones.
 */
export async function loadFile(
	engine: Engine,
	req: LoadRequest
): Promise<{ format: DataFormat; fingerprint: Fingerprint; notes: DatasetNote[] }> {
	const head = new Uint8Array(await req.file.slice(0, 64).arrayBuffer());
	const detected = detectFormat(req.fileName, head);
	if (!detected.ok) throw new LoadError(problemName(detected.code, req.fileName), detected.message);
	// parquet-wasm compiles while the file is read, not after.
	if (detected.format === 'parquet') void warmParquet().catch(() => undefined);
	const bytes = await readWithProgress(engine, req);
	const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
	const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
	const staging = `__loading_${req.table}`;
	return engine.exclusive(async (conn) => {
		try {
			await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(staging)}`);
			await ingest(engine, conn, detected.format, bytes, staging, req);
			if (engine.cancelRequested) throw cancelled();
			// A file with columns and no rows (a CSV with only its header) is an empty table, not an error.
			const rowCount = await engine.rowCount(conn, staging);
			const schema = await engine.columns(conn, staging);
			const notes = await readAsText(conn, staging, schema, detected.format, bytes);
			await conn.query(`ALTER TABLE ${quoteIdent(staging)} RENAME TO ${quoteIdent(req.table)}`);
			req.onProgress?.({ kind: 'done', rowCount });
			return { format: detected.format, fingerprint: { sha256, schema, rowCount }, notes };
		} catch (e) {
			await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(staging)}`).catch(() => undefined);
			throw asLoadError(e, req.fileName);
		}
	}, req.job);
}

async function ingest(
	engine: Engine,
	conn: Conn,
	format: DataFormat,
	bytes: Uint8Array,
	staging: string,
	req: LoadRequest
): Promise<void> {
	const progress = req.onProgress;
	switch (format) {
		case 'csv':
		case 'tsv': {
			requireUtf8(bytes, req.fileName);
			const check = checkCsv(bytes, {
				delimiter: format === 'tsv' ? 0x09 : undefined,
				maxLineBytes: MAX_LINE_BYTES
			});
			if (!check.ok) throw new LoadError('CsvFormatError', `${req.fileName}: ${check.message}`);
			if (check.columns === 0)
				throw new LoadError('EmptyData', `${req.fileName} has no header line: only blank lines.`);
			progress?.({ kind: 'parse', rowsParsed: 0, rowsTotal: Math.max(check.records - 1, 0) });
			const path = `ingest_${staging}.${format}`;
			await engine.db.registerFileBuffer(path, bytes.slice());
			try {
				// The dialect checked above is passed explicitly: DuckDB's sniffer would otherwise "fix" a bad
				// file by guessing another delimiter. Column types are still detected by DuckDB.
				await engine.run(
					`CREATE TABLE ${quoteIdent(staging)} AS SELECT * FROM read_csv(${quoteString(path)}, header = true, ` +
						`delim = ${quoteString(check.delimiter)}, quote = '"', escape = '"', strict_mode = true, ` +
						`max_line_size = ${MAX_LINE_BYTES + 2})`
				);
			} finally {
				await engine.db.dropFile(path).catch(() => undefined);
			}
			return;
		}
		case 'json':
		case 'ndjson': {
			requireUtf8(bytes, req.fileName);
			const table = jsonToArrow(new TextDecoder().decode(bytes), { format });
			progress?.({ kind: 'parse', rowsParsed: table.numRows, rowsTotal: table.numRows });
			await conn.insertArrowFromIPCStream(arrowToIpcStream(table), { name: staging, create: true });
			return;
		}
		case 'arrow': {
			let table;
			try {
				table = tableFromIPC(bytes);
			} catch (e) {
				throw new LoadError(
					'ArrowFormatError',
					`${req.fileName} is not a readable Arrow IPC file: ${errText(e)}`
				);
			}
			if (table.numRows === 0) throw new LoadError('EmptyData', `${req.fileName} holds no rows.`);
			await conn.insertArrowFromIPCStream(arrowToIpcStream(table), { name: staging, create: true });
			progress?.({ kind: 'parse', rowsParsed: table.numRows, rowsTotal: table.numRows });
			return;
		}
		case 'parquet': {
			const footer = checkParquetFooter(bytes, req.fileName);
			if (!footer.ok) throw new LoadError('ParquetFormatError', footer.message);
			// Said, not left at "read N of N bytes": on a busy machine the decoder's first start takes seconds.
			progress?.({ kind: 'decoder' });
			let first = true;
			for await (const group of readParquetGroups(bytes, req.fileName)) {
				if (engine.cancelRequested) throw cancelled();
				await conn.insertArrowFromIPCStream(group.ipc, { name: staging, create: first });
				first = false;
				progress?.({ kind: 'parse', rowsParsed: group.rowsRead, rowsTotal: group.rowsTotal });
			}
			if (first) throw new LoadError('EmptyData', `${req.fileName} has no row groups.`);
			return;
		}
	}
}

/** Columns read as text because a few values are not numbers, each named with the value and where it is. */
async function readAsText(
	conn: Conn,
	table: string,
	schema: Fingerprint['schema'],
	format: DataFormat,
	bytes: Uint8Array
): Promise<DatasetNote[]> {
	// Parquet and Arrow carry their types: a text column there was written as text.
	if (format === 'parquet' || format === 'arrow') return [];
	const found = await mostlyNumericText(conn, table, schema);
	return found.map((f) => {
		if (format === 'json') return textColumnNote(f, `element ${f.row}`);
		if (format === 'ndjson') return textColumnNote(f, `record ${f.row + 1}`);
		const delimiter = format === 'tsv' ? 0x09 : sniffDelimiter(bytes);
		return textColumnNote(f, `line ${lineOfRecord(bytes, delimiter, f.row + 1)}`);
	});
}

/** Read the file with progress, stopping at once when the job is cancelled (before parsing starts). */
function readWithProgress(engine: Engine, req: LoadRequest): Promise<Uint8Array<ArrayBuffer>> {
	const { file, onProgress } = req;
	let lastReport = 0;
	return readBlob(file, {
		fileName: req.fileName,
		shouldStop: () => engine.isCancelled(req.job),
		stopped: cancelled,
		onChunk: (bytesRead) => {
			if (bytesRead - lastReport > 1 << 20 || bytesRead === file.size) {
				lastReport = bytesRead;
				onProgress?.({ kind: 'read', bytesRead, bytesTotal: file.size });
			}
		}
	});
}

function requireUtf8(bytes: Uint8Array, fileName: string): void {
	const check = checkUtf8(bytes);
	if (!check.ok) {
		throw new LoadError(
			'EncodingError',
			`${fileName} is not UTF-8: invalid byte at line ${check.line}, column ${check.column} (byte ${check.byteOffset}). Save it as UTF-8 and load it again.`
		);
	}
}

function asLoadError(e: unknown, fileName: string): Error {
	if (e instanceof LoadError) return e;
	if (e instanceof Error && e.name === 'Cancelled') return e;
	if (e instanceof Error && e.name === 'JsonFormatError')
		return new LoadError(e.name, `${fileName}: ${e.message}`);
	const { name, message } = friendlyDuckDBError(errText(e));
	return new LoadError(name === 'InvalidInputError' ? 'CsvFormatError' : name, `${fileName}: ${message}`);
}

function errText(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}
