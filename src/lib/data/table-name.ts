/**
 * Table names for uploaded files: `seattle-weather.csv` → `seattle_weather`. The name is typed in SQL by people,
 * so it must work unquoted: lower case, ASCII letters, digits and _, not a keyword DuckDB refuses as a table
 * name, and at most 63 characters (the notebook schema's `tableName`).
 */

/**
 * DuckDB 1.4.3 keywords in the `reserved` and `type_function` categories of `duckdb_keywords()`: both fail as an
 * unquoted table name (`CREATE TABLE left …` is a syntax error); `unreserved` and `column_name` ones work.
 */
const REFUSED = new Set(
	(
		'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
		'default deferrable desc describe distinct do else end except false fetch for foreign from group having in ' +
		'initially intersect into lambda lateral leading limit not null offset on only or order pivot pivot_longer ' +
		'pivot_wider placing primary qualify references returning select show some summarize symmetric table then ' +
		'to trailing true union unique unpivot using variadic when where window with ' +
		'anti asof at authorization binary by collation columns concurrently cross freeze full generated glob ilike ' +
		'inner is isnull join left like map natural notnull outer overlaps positional right semi similar struct ' +
		'tablesample try_cast unpack verbose'
	).split(' ')
);

const MAX = 63;

/** The file's base name as a lower-case identifier, without the suffix that makes it unique. */
function baseName(fileName: string): string {
	const file = fileName.split(/[/\\]/).pop() ?? '';
	// Drop every data extension (`x.csv.gz` → `x`), but keep a dot that is part of the name (`v1.2_data.csv`).
	const stem = file.replace(
		/(\.(csv|tsv|tab|txt|parquet|pq|json|jsonl|ndjson|arrow|arrows|ipc|feather|gz|zst))+$/i,
		''
	);
	const name = stem
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '') // é → e once decomposed
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^_+|_+$/g, '');
	if (name === '') return 'data';
	if (/^[0-9]/.test(name) || REFUSED.has(name)) return `t_${name}`;
	return name;
}

/** A valid, unquoted, lower-case SQL identifier for the file, distinct from every name in `taken`. */
export function tableNameFromFile(fileName: string, taken: readonly string[]): string {
	const used = new Set(taken.map((t) => t.toLowerCase()));
	const base = baseName(fileName);
	const fit = (suffix: string) => base.slice(0, MAX - suffix.length).replace(/_+$/, '') + suffix;
	for (let n = 1; ; n++) {
		const name = fit(n === 1 ? '' : `_${n}`);
		if (!used.has(name)) return name;
	}
}
