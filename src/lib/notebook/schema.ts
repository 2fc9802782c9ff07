import { z } from 'zod';

/**
 * The notebook document: the one shape stored in IndexedDB, exported to files and validated on import.
 * Outputs are kept only where they are cheap (a result preview, never a whole table).
 */

export const CHART_MARKS = ['bar', 'line', 'point', 'area', 'histogram'] as const;
export type ChartMark = (typeof CHART_MARKS)[number];

/** A SQL identifier a later cell can query: letters, digits, underscore, not starting with a digit. */
export const tableName = z
	.string()
	.regex(
		/^[A-Za-z_][A-Za-z0-9_]{0,62}$/,
		'a table name is letters, digits and _ and cannot start with a digit'
	);

const cellBase = {
	id: z.string().min(1).max(64),
	collapsed: z.boolean().default(false)
};

export const sqlOutput = z.object({
	kind: z.literal('table'),
	/** The table this result was materialised into (the cell's name, or its automatic one). */
	table: z.string(),
	columns: z.array(z.object({ name: z.string(), type: z.string() })),
	rowCount: z.number().int().nonnegative(),
	elapsedMs: z.number().nonnegative(),
	/** The first rows, JSON-safe (BigInt as string), so a reload shows the result before DuckDB is back. */
	preview: z.array(z.array(z.unknown())).max(200)
});

export const cellError = z.object({
	kind: z.literal('error'),
	name: z.string(),
	message: z.string(),
	line: z.number().int().positive().optional(),
	column: z.number().int().positive().optional()
});

export const markdownCell = z.object({
	...cellBase,
	kind: z.literal('markdown'),
	source: z.string()
});

export const sqlCell = z.object({
	...cellBase,
	kind: z.literal('sql'),
	source: z.string(),
	/** Name under which the result is a table for later cells; empty means an automatic name. */
	name: z.union([tableName, z.literal('')]).default(''),
	output: z.union([sqlOutput, cellError]).nullable().default(null)
});

export const chartSpec = z.object({
	/** A table name (a dataset or a cell result). */
	source: z.string().default(''),
	mark: z.enum(CHART_MARKS).default('bar'),
	x: z.string().default(''),
	y: z.string().default(''),
	color: z.string().default(''),
	facet: z.string().default('')
});

export const chartCell = z.object({
	...cellBase,
	kind: z.literal('chart'),
	spec: chartSpec,
	output: cellError.nullable().default(null)
});

export const cell = z.discriminatedUnion('kind', [markdownCell, sqlCell, chartCell]);

export const notebook = z.object({
	id: z.string().min(1).max(64),
	title: z.string().max(200),
	cells: z.array(cell).max(500),
	createdAt: z.number(),
	updatedAt: z.number(),
	/** Soft delete, so the notebooks page can undo. */
	deletedAt: z.number().nullable().default(null)
});

export type Notebook = z.infer<typeof notebook>;
export type Cell = z.infer<typeof cell>;
export type CellKind = Cell['kind'];
export type MarkdownCell = z.infer<typeof markdownCell>;
export type SqlCell = z.infer<typeof sqlCell>;
export type ChartCell = z.infer<typeof chartCell>;
export type ChartSpec = z.infer<typeof chartSpec>;
export type SqlOutput = z.infer<typeof sqlOutput>;
export type CellError = z.infer<typeof cellError>;
