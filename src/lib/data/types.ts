/** Types shared by the data worker and its main-thread client. Plain data only: everything here crosses postMessage. */

export const DATA_FORMATS = ['csv', 'tsv', 'parquet', 'json', 'ndjson', 'arrow'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

export interface ColumnInfo {
	name: string;
	type: string;
}

export interface Fingerprint {
	/** sha-256 of the file's bytes, hex. */
	sha256: string;
	schema: ColumnInfo[];
	rowCount: number;
}

export interface DatasetMeta {
	id: string;
	/** The SQL table name. */
	name: string;
	fileName: string;
	format: DataFormat;
	bytes: number;
	fingerprint: Fingerprint;
	addedAt: number;
	/** Bundled samples are re-fetched from the app, not stored as blobs. */
	sampleUrl?: string;
	/** What the user should know about how the file was read (a column read as text, and why). */
	notes?: DatasetNote[];
}

export interface DatasetNote {
	column: string;
	message: string;
}

/** Errors cross the worker boundary as data: a stable code in `name`, a message that names the problem. */
export interface DataError {
	name: string;
	message: string;
	line?: number;
	column?: number;
}

export type Result<T> = ({ ok: true } & T) | { ok: false; error: DataError };

/** Progress of one load, one stream of one type (CONVENTIONS 4). */
export type LoadProgress =
	| { kind: 'read'; bytesRead: number; bytesTotal: number }
	| { kind: 'parse'; rowsParsed: number; rowsTotal: number | null }
	| { kind: 'done'; rowCount: number };

export interface QueryOutcome {
	/** The table the last row-returning statement was materialised into, or null for statements without rows. */
	table: string | null;
	columns: ColumnInfo[];
	rowCount: number;
	elapsedMs: number;
	/** The first rows, JSON-safe. */
	preview: (string | number | boolean | null)[][];
	/** Whether the result is a live table that rows can be fetched from (false for SUMMARIZE-like statements). */
	browsable: boolean;
}

export interface ColumnProfile {
	name: string;
	type: string;
	kind: 'numeric' | 'temporal' | 'categorical' | 'other';
	count: number;
	nulls: number;
	distinct: number;
	min: string | number | null;
	max: string | number | null;
	mean: number | null;
	std: number | null;
	quantiles: { q: number; value: number | null }[];
	/** Equal-width bins for numeric columns. */
	histogram: { x0: number; x1: number; count: number }[];
	/** Most frequent values for everything else. */
	top: { value: string; count: number }[];
}

export interface TableProfile {
	table: string;
	rowCount: number;
	columns: ColumnProfile[];
	elapsedMs: number;
}

/** Column-major data for a chart: numbers as Float64Array (transferable), everything else as strings. */
export interface ChartData {
	columns: Record<string, Float64Array | (string | null)[]>;
	rowCount: number;
	/** True when the table had more rows than were sampled for the chart. */
	sampled: boolean;
	totalRows: number;
	/** Columns whose numbers are epoch milliseconds, to be drawn as dates. */
	temporal: string[];
}

export interface TableInfo {
	name: string;
	columns: ColumnInfo[];
	rowCount: number;
}
