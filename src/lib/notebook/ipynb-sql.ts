import { ctasBody, splitStatements, tokenize } from '$lib/data/sql-text';
import { quoteIdent, quoteString } from '$lib/data/sql-ident';
import type { SqlCell } from './schema';

/**
 * The SQL of an exported notebook, as JupySQL runs it on DuckDB (`%sql duckdb://`). JupySQL runs a cell's
 * `;`-separated statements in order and shows the last one's rows, and DuckDB is the same engine Edgebook
 * runs, so each cell does what it did in the browser: a named cell's last query becomes a table under its name
 * (exactly as the scheduler materialises it, see docs/architecture.md), so a later `FROM q1` finds it.
 */

/** A dataset as it is exported beside the notebook. */
export interface ExportedDataset {
	/** The table name the notebook's SQL uses. */
	name: string;
	/** The CSV file's path, relative to the notebook. */
	path: string;
}

/** Where a dataset's CSV goes in the export, relative to the notebook. */
export function datasetPath(name: string): string {
	return `data/${name}.csv`;
}

/**
 * One statement per dataset, re-creating its table from the CSV beside the notebook. The whole file is
 * sampled so DuckDB infers each column's type from every row, not the first few thousand.
 */
export function loadingSql(datasets: readonly ExportedDataset[]): string {
	return datasets
		.map(
			(d) =>
				`CREATE OR REPLACE TABLE ${quoteIdent(d.name)} AS\nSELECT * FROM read_csv(${quoteString(d.path)}, header = true, sample_size = -1);`
		)
		.join('\n');
}

/**
 * A SQL cell's code for JupySQL: the user's text, comments included. Only a named cell's last query is
 * wrapped into `CREATE OR REPLACE TABLE name AS …` and followed by a `SELECT` of that table, so the cell still
 * shows its rows. Comments after the query stay before the `;` that ends it, so none can swallow the wrapper.
 */
export function jupysqlSource(cell: Pick<SqlCell, 'name' | 'source'>): string {
	const statements = splitStatements(cell.source);
	const last = statements.at(-1);
	const body = cell.name && last ? ctasBody(last.text) : null;
	if (!last || body === null) return cell.source;
	const table = quoteIdent(cell.name);
	const tail = withoutSemicolons(cell.source.slice(last.end)).trimEnd();
	return (
		`${cell.source.slice(0, last.start)}CREATE OR REPLACE TABLE ${table} AS\n${body}${tail}` +
		`${tail ? '\n' : ''};\nSELECT * FROM ${table};`
	);
}

/** The text after a cell's last statement holds only comments, blanks and `;`: keep all but the `;`. */
function withoutSemicolons(text: string): string {
	let out = '';
	let at = 0;
	for (const token of tokenize(text)) {
		if (token.kind !== 'semicolon') continue;
		out += text.slice(at, token.start);
		at = token.end;
	}
	return out + text.slice(at);
}
