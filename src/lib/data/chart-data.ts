import type { Table } from 'apache-arrow';
import type { Engine } from './engine';
import { quoteIdent } from './sql-ident';
import {
	CHART_HISTOGRAM_BINS,
	CHART_LINE_BINS,
	CHART_MAX_CATEGORIES,
	CHART_MAX_LINE_POINTS,
	CHART_MAX_ROWS,
	aggregateSql,
	asLabel,
	asNumber,
	niceStep,
	num,
	resolveColumns,
	type Kind
} from './chart-sql';
import type { ChartCategoryRole, ChartData, ChartRequest, ChartRole, ColumnInfo } from './types';

type Query = (sql: string) => Promise<Table>;

/** Fetch what a chart draws: aggregates over every row for bar, line, area and histogram; rows for points. */
export async function chartData(engine: Engine, req: ChartRequest): Promise<ChartData> {
	return engine.exclusive(async (conn) => {
		const all = await engine.columns(conn, req.table);
		return buildChart((sql) => conn.query(sql), req, all);
	});
}

/** Whether x is drawn as categories (one bar or point per value) rather than on a continuous axis. */
function xIsCategory(req: ChartRequest, kind: Kind): boolean {
	return req.mark === 'bar' || (kind !== 'numeric' && kind !== 'temporal');
}

export async function buildChart(query: Query, req: ChartRequest, all: ColumnInfo[]): Promise<ChartData> {
	const kinds = resolveColumns(req, all);
	const table = quoteIdent(req.table);
	const xKind = kinds[req.x];
	const categoryX = xIsCategory(req, xKind);
	const base = { domains: {}, folded: {}, binWidth: null, sampled: false } as const;

	if (req.mark === 'point') {
		const totalRows = await count(query, table);
		const parts = [`${categoryX ? asLabel(req.x) : asNumber(req.x, xKind)} AS x`];
		parts.push(`${pick(req.y, kinds[req.y])} AS y`);
		if (req.color) parts.push(`${pick(req.color, kinds[req.color])} AS color`);
		if (req.facet) parts.push(`${asLabel(req.facet)} AS facet`);
		const sample =
			totalRows > CHART_MAX_ROWS ? ` USING SAMPLE reservoir(${CHART_MAX_ROWS} ROWS) REPEATABLE (42)` : '';
		const t = await query(`SELECT ${parts.join(', ')} FROM ${table}${sample}`);
		const temporal: ChartRole[] = [];
		if (!categoryX && xKind === 'temporal') temporal.push('x');
		if (kinds[req.y] === 'temporal') temporal.push('y');
		if (req.color && kinds[req.color] === 'temporal') temporal.push('color');
		return {
			...base,
			...toColumns(t),
			shape: 'rows',
			unplaced: 0,
			sampled: sample !== '',
			totalRows,
			temporal,
			y: 'value'
		};
	}

	// Everything else aggregates in DuckDB, so what is drawn adds up to the whole table.
	const reduce = req.mark === 'histogram' ? 'count' : 'sum';
	const roles: ChartCategoryRole[] = [];
	const src: string[] = [];
	const labels = [
		...(categoryX ? [['x', req.x] as const] : []),
		...(req.color ? [['color', req.color] as const] : []),
		...(req.facet ? [['facet', req.facet] as const] : [])
	];
	const stats = [
		'count(*)::DOUBLE AS total',
		...labels.map(([r, c]) => `count(DISTINCT ${category(c)})::DOUBLE AS d_${r}`)
	];
	if (!categoryX)
		stats.push(
			`min(${asNumber(req.x, xKind)}) AS lo`,
			`max(${asNumber(req.x, xKind)}) AS hi`,
			`count(DISTINCT ${asNumber(req.x, xKind)})::DOUBLE AS dx`,
			`count(*) FILTER (WHERE ${asNumber(req.x, xKind)} IS NULL)::DOUBLE AS unplaced`
		);
	const s = (await query(`SELECT ${stats.join(', ')} FROM ${table}`)).get(0)!;
	const folded: ChartData['folded'] = {};
	for (const [r, c] of labels) {
		src.push(`${category(c)} AS ${r}`);
		roles.push(r);
		const of = Number(s[`d_${r}`]);
		if (of > CHART_MAX_CATEGORIES[r] + 1) folded[r] = { kept: CHART_MAX_CATEGORIES[r], of };
	}
	let shape: ChartData['shape'] = 'groups';
	let binWidth: number | null = null;
	let xExpr: string | null = null;
	if (!categoryX) {
		const lo = Number(s.lo);
		const hi = Number(s.hi);
		const x = asNumber(req.x, xKind);
		if (req.mark === 'histogram') {
			shape = 'bins';
			binWidth = niceStep(hi > lo ? (hi - lo) / CHART_HISTOGRAM_BINS : Math.abs(hi) / 10);
			xExpr = `floor(${x} / ${num(binWidth)}) * ${num(binWidth)}`;
		} else if (Number(s.dx) > CHART_MAX_LINE_POINTS) {
			binWidth = (hi - lo) / CHART_LINE_BINS;
			xExpr = `${num(lo)} + least(floor((${x} - ${num(lo)}) / ${num(binWidth)}), ${CHART_LINE_BINS - 1}) * ${num(binWidth)}`;
		} else xExpr = x;
	}
	const allRoles: string[] = xExpr ? ['x', ...roles] : roles;
	const select = [...(xExpr ? [`${xExpr} AS x`] : []), ...src];
	if (reduce === 'sum') select.push(`${asNumber(req.y, 'numeric')} AS y`);
	const sql = aggregateSql(`SELECT ${select.join(', ')} FROM ${table}`, allRoles, reduce, folded);
	const t = await query(`${sql} ORDER BY ALL`);
	const data = toColumns(t);
	const n = t.getChild('n');
	let many = false;
	for (let i = 0; i < t.numRows; i++) if (Number(n?.get(i)) > 1) many = true;
	if (shape === 'bins' && binWidth !== null) {
		const x = data.columns.x as Float64Array;
		data.columns.x2 = x.map((v) => v + binWidth!);
	}
	delete data.columns['n' as ChartRole];
	const domains: ChartData['domains'] = {};
	for (const r of roles) domains[r] = domainOf(data.columns[r] as (string | null)[], folded[r]);
	if (categoryX && kinds[req.x] === 'numeric')
		domains.x = domains.x!.sort((a, b) => (isOther(a) ? 1 : isOther(b) ? -1 : Number(a) - Number(b)));
	return {
		...data,
		shape,
		sampled: false,
		totalRows: Number(s.total),
		unplaced: categoryX ? 0 : Number(s.unplaced),
		temporal: !categoryX && xKind === 'temporal' ? ['x', 'x2'] : [],
		domains,
		folded,
		y: reduce === 'count' ? 'count' : many ? 'sum' : 'value',
		binWidth
	};
}

function isOther(label: string): boolean {
	return /^Other \([\d,]+ more\)$/.test(label);
}

function domainOf(values: (string | null)[], fold?: { kept: number; of: number }): string[] {
	const set = [...new Set(values.filter((v): v is string => v !== null))];
	set.sort((a, b) =>
		fold && isOther(a) ? 1 : fold && isOther(b) ? -1 : a.localeCompare(b, 'en', { numeric: true })
	);
	return set;
}

/** A category's label; a missing value is a category of its own, so every row is drawn and totals add up. */
function category(name: string): string {
	return `coalesce(${asLabel(name)}, '(null)')`;
}

function pick(name: string, kind: Kind): string {
	return kind === 'numeric' || kind === 'temporal' ? asNumber(name, kind) : asLabel(name);
}

async function count(query: Query, table: string): Promise<number> {
	const t = await query(`SELECT count(*)::DOUBLE AS n FROM ${table}`);
	return Number(t.get(0)?.n ?? 0);
}

/** Arrow columns to transferable arrays: DOUBLE columns as Float64Array (NaN for null), the rest as strings. */
function toColumns(t: Table): { columns: ChartData['columns']; rowCount: number } {
	const columns: Record<string, Float64Array | (string | null)[]> = {};
	for (const field of t.schema.fields) {
		const v = t.getChild(field.name);
		const isNumber = String(field.type) === 'Float64';
		columns[field.name] = isNumber
			? Float64Array.from({ length: t.numRows }, (_, i) => {
					const x = v?.get(i);
					return x === null || x === undefined ? NaN : Number(x);
				})
			: Array.from({ length: t.numRows }, (_, i) => {
					const x = v?.get(i);
					return x === null || x === undefined ? null : String(x);
				});
	}
	return { columns, rowCount: t.numRows };
}
