/** Quote a name as a DuckDB identifier: the only safe way to put a user's table or column name into SQL. */
export function quoteIdent(name: string): string {
	return '"' + name.replaceAll('"', '""') + '"';
}

/** Quote a value as a DuckDB string literal. */
export function quoteString(value: string): string {
	return "'" + value.replaceAll("'", "''") + "'";
}
