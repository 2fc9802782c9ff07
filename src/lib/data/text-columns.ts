import type { Conn } from './engine';
import { quoteIdent } from './sql-ident';
import type { ColumnInfo, DatasetNote } from './types';

/** Wider tables are checked on their first columns only: one scan, bounded SQL. */
const MAX_CHECKED = 64;

export interface TextColumnFinding {
	column: string;
	/** The first value that is not a number, and its row (0-based, in file order). */
	value: string;
	row: number;
	/** How many values of the column are not numbers. */
	others: number;
}

const isText = (c: ColumnInfo) => c.type === 'VARCHAR';
const asNumber = (col: string) => `TRY_CAST(trim(${quoteIdent(col)}) AS DOUBLE)`;

/**
 * Text columns whose values are mostly numbers. DuckDB reads a whole column as text when one value is not a
 * number (an "n/a", a "1,5"), and the user then wonders why sum() fails: this finds those columns and the value
 * that made them text. One scan for the counts, then one small query per column found.
 */
export async function mostlyNumericText(
	conn: Conn,
	table: string,
	schema: ColumnInfo[]
): Promise<TextColumnFinding[]> {
	const text = schema.filter(isText).slice(0, MAX_CHECKED);
	if (!text.length) return [];
	const counts = text.map(
		(c, i) => `count(${asNumber(c.name)}) AS n${i}, count(${quoteIdent(c.name)}) AS v${i}`
	);
	const row = (await conn.query(`SELECT ${counts.join(', ')} FROM ${quoteIdent(table)}`)).get(0);
	const found: TextColumnFinding[] = [];
	for (const [i, c] of text.entries()) {
		const numbers = Number(row?.[`n${i}`] ?? 0);
		const others = Number(row?.[`v${i}`] ?? 0) - numbers;
		if (numbers === 0 || others === 0 || others >= numbers) continue;
		const first = (
			await conn.query(
				`SELECT rowid AS r, ${quoteIdent(c.name)} AS v FROM ${quoteIdent(table)} ` +
					`WHERE ${quoteIdent(c.name)} IS NOT NULL AND ${asNumber(c.name)} IS NULL ORDER BY rowid LIMIT 1`
			)
		).get(0);
		if (first) found.push({ column: c.name, value: String(first.v), row: Number(first.r), others });
	}
	return found;
}

/** What the datasets panel says about one such column. `where` names the line (text files) or the row. */
export function textColumnNote(f: TextColumnFinding, where: string): DatasetNote {
	const shown = f.value.length > 40 ? `${f.value.slice(0, 40)}…` : f.value;
	const more = f.others > 1 ? ` (and ${f.others - 1} more value${f.others === 2 ? '' : 's'} like it)` : '';
	return {
		column: f.column,
		message:
			`"${f.column}" was read as text: ${where} has "${shown}", which is not a number${more}. ` +
			`Query it as numbers with TRY_CAST(${quoteIdent(f.column)} AS DOUBLE).`
	};
}
