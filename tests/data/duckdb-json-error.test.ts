import { describe, expect, it } from 'vitest';
import { friendlyDuckDBError, locateError } from '$lib/data/sql-text';

// DuckDB-WASM in the browser reports errors as JSON; these are messages captured from Chromium.
const parser = JSON.stringify({
	exception_type: 'Parser',
	exception_message: 'syntax error at or near "q1"\n\nLINE 3: FORM q1\n             ^',
	error_subtype: 'SYNTAX_ERROR',
	position: '46'
});
const sent = 'CREATE OR REPLACE TABLE "q2" AS\nSELECT *\nFORM q1';

describe('browser (JSON) DuckDB errors', () => {
	it('name and message come from exception_type and the first line of exception_message', () => {
		expect(friendlyDuckDBError(parser)).toMatchObject({
			name: 'ParserError',
			message: 'syntax error at or near "q1"'
		});
	});

	it('the position is DuckDB own byte offset into the sent text', () => {
		expect(locateError(parser, sent)).toEqual({ line: 3, column: 6, offset: 46 });
	});

	it('byte offsets after non-ASCII text map to string indices', () => {
		const sql = "SELECT 'é', nope";
		const msg = JSON.stringify({ exception_type: 'Binder', exception_message: 'x', position: '13' });
		expect(locateError(msg, sql)?.offset).toBe(12);
	});

	it('a JSON error without a position falls back to no position', () => {
		const msg = JSON.stringify({
			exception_type: 'Conversion',
			exception_message: "Could not convert string 'abc' to INT32"
		});
		expect(friendlyDuckDBError(msg).name).toBe('ConversionError');
		expect(locateError(msg, "SELECT 'abc'::INTEGER")).toBeNull();
	});
});
