import type { CellError, SqlOutput } from './schema';

/**
 * Saved outputs for exported code cells, in nbformat 4.5's shapes, so the notebook opens showing what Edgebook
 * showed: a SQL result's first rows as an HTML table with a plain-text twin (as JupySQL displays a result set),
 * or the error the cell ended with.
 */

/** As many rows as JupySQL's default display limit; the full result is one run away. */
export const OUTPUT_ROWS = 10;

const html = (text: string) =>
	text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** One cell value as text: null as NULL (DuckDB's spelling), objects as JSON. */
export function cellText(value: unknown): string {
	if (value === null || value === undefined) return 'NULL';
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

function plainTable(header: string[], rows: string[][]): string {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) =>
		cells
			.map((c, i) => c.padEnd(widths[i]))
			.join(' | ')
			.trimEnd();
	return [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)].join('\n');
}

function htmlTable(header: string[], rows: string[][]): string {
	const head = header.map((h) => `<th>${html(h)}</th>`).join('');
	const body = rows.map((r) => `<tr>${r.map((c) => `<td>${html(c)}</td>`).join('')}</tr>`).join('\n');
	return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function rowsNote(shown: number, total: number): string {
	const all = `${total.toLocaleString('en-US')} row${total === 1 ? '' : 's'}`;
	return shown < total ? `${all}, the first ${shown} shown` : all;
}

/** nbformat splits multi-line output text into lines, like cell sources. */
function lines(text: string): string[] {
	return text.split(/(?<=\n)/);
}

export function tableOutput(output: SqlOutput, executionCount: number) {
	const header = output.columns.map((c) => c.name);
	const rows = output.preview.slice(0, OUTPUT_ROWS).map((r) => header.map((_, i) => cellText(r[i])));
	const note = rowsNote(rows.length, output.rowCount);
	return {
		output_type: 'execute_result' as const,
		execution_count: executionCount,
		metadata: {},
		data: {
			'text/html': lines(`${htmlTable(header, rows)}\n<p>${html(note)}</p>`),
			'text/plain': lines(`${plainTable(header, rows)}\n(${note})`)
		}
	};
}

export function errorOutput(error: CellError) {
	const where = error.line ? ` (line ${error.line}${error.column ? `, column ${error.column}` : ''})` : '';
	return {
		output_type: 'error' as const,
		ename: error.name,
		evalue: error.message,
		traceback: [`${error.name}: ${error.message}${where}`]
	};
}
