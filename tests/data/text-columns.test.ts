import { beforeAll, describe, expect, it } from 'vitest';
import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import type { DuckDBConnection } from '@duckdb/duckdb-wasm/blocking';
import { mostlyNumericText, textColumnNote } from '$lib/data/text-columns';
import { openDuckDB } from '../helpers/duckdb-node';

// The real engine reads the CSV, so the column types are the ones DuckDB's sniffer gives in the app.
let conn: DuckDBConnection;
let db: Awaited<ReturnType<typeof openDuckDB>>['db'];
beforeAll(async () => {
	({ db, conn } = await openDuckDB());
}, 30_000);

function load(name: string, csv: string) {
	db.registerFileBuffer(`${name}.csv`, new TextEncoder().encode(csv));
	conn.query(
		`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_csv('${name}.csv', header = true, delim = ',', quote = '"', escape = '"', strict_mode = true)`
	);
	const schema = conn
		.query(`DESCRIBE ${name}`)
		.toArray()
		.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
	// The blocking connection answers synchronously; awaiting it is the same as awaiting the async one.
	return mostlyNumericText(conn as unknown as AsyncDuckDBConnection, name, schema);
}

describe('columns read as text because of a few values that are not numbers', () => {
	it('finds the column, the first such value, its row and how many there are', async () => {
		const found = await load('prices', 'item,price\napple,1.5\npear,n/a\nplum,2\nfig,-\nkiwi,3\n');
		expect(found).toEqual([{ column: 'price', value: 'n/a', row: 1, others: 2 }]);
	});

	it('leaves real text columns and real number columns alone', async () => {
		expect(await load('plain', 'name,code,n\nada,A1,1\nbob,B2,2\n')).toEqual([]);
	});

	it('words the note with the value, where it is and the way out', () => {
		const note = textColumnNote({ column: 'price', value: 'n/a', row: 1, others: 2 }, 'line 3');
		expect(note).toEqual({
			column: 'price',
			message:
				'"price" was read as text: line 3 has "n/a", which is not a number (and 1 more value like it). ' +
				'Query it as numbers with TRY_CAST("price" AS DOUBLE).'
		});
	});
});

describe('a CSV with only its header', () => {
	it('reads as a table with its columns and no rows', () => {
		db.registerFileBuffer('header.csv', new TextEncoder().encode('id,name,price\n'));
		const t = conn.query(
			`SELECT * FROM read_csv('header.csv', header = true, delim = ',', quote = '"', escape = '"', strict_mode = true)`
		);
		expect(t.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'price']);
		expect(t.numRows).toBe(0);
	});
});
