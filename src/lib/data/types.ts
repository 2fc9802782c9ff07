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
	/** Where a large file is kept instead of IndexedDB (src/lib/tracking/datasets.ts); absent: IndexedDB. */
	storedIn?: 'opfs';
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

/** Progress of one load, one stream of one type (docs/architecture.md, Conventions). */
export type LoadProgress =
	| { kind: 'read'; bytesRead: number; bytesTotal: number }
	/** The first Parquet file of a tab fetches and compiles its decoder (6.6 MB of wasm) before any row is read. */
	| { kind: 'decoder' }
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
/** The roles a column plays in a chart; `x2` is a bin's upper edge. */
export type ChartRole = 'x' | 'x2' | 'y' | 'color' | 'facet';
export type ChartCategoryRole = 'x' | 'color' | 'facet';

/** What a chart cell asks the data worker for: its spec, resolved to column names. */
export interface ChartRequest {
	table: string;
	mark: 'bar' | 'line' | 'point' | 'area' | 'histogram';
	x: string;
	y: string;
	color: string;
	facet: string;
}

/**
 * Chart-ready data, column-major by role. Aggregating marks are aggregated in DuckDB over every row of the
 * table (`groups`, `bins`); only points draw table rows, and only they are ever sampled.
 */
export interface ChartData {
	shape: 'rows' | 'groups' | 'bins';
	columns: Partial<Record<ChartRole, Float64Array | (string | null)[]>>;
	rowCount: number;
	/** True when points were drawn from a sample of the table's rows. */
	sampled: boolean;
	totalRows: number;
	/** Rows with no x on a continuous axis: they have no place on it, and the chart says how many. */
	unplaced: number;
	/** Roles whose numbers are epoch milliseconds, to be drawn as dates. */
	temporal: ChartRole[];
	/** Category order per role, with the folded "Other (N more)" last. */
	domains: Partial<Record<ChartCategoryRole, string[]>>;
	/** Roles with too many categories: the largest `kept` of `of` are drawn, the rest add up in "Other". */
	folded: Partial<Record<ChartCategoryRole, { kept: number; of: number }>>;
	/** What y holds: a column's values, their sum per group, or a count of rows. */
	y: 'value' | 'sum' | 'count';
	/** x was binned to this width: always for a histogram, for a line or area over too many distinct x. */
	binWidth: number | null;
}

export interface TableInfo {
	name: string;
	columns: ColumnInfo[];
	rowCount: number;
}
