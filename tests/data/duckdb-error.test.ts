import { describe, expect, it } from 'vitest';
import { friendlyDuckDBError, locateError, positionAt } from '../../src/lib/data/sql-text';
import { ERROR_FIXTURES } from './fixtures/duckdb-errors';

describe('locateError on captured DuckDB messages', () => {
	it.each(ERROR_FIXTURES)('$name', ({ sql, message, at }) => {
		const found = locateError(message, sql);
		expect(found && { line: found.line, column: found.column }).toEqual(at);
	});
});

describe('locateError edge cases', () => {
	it('points into a CTAS wrapper, so the caller can subtract the prefix', () => {
		const prefix = 'CREATE OR REPLACE TABLE r AS ';
		const fixture = ERROR_FIXTURES.find((f) => f.name === 'wrapped in CTAS')!;
		const found = locateError(fixture.message, fixture.sql)!;
		expect(found.offset - prefix.length).toBe('SELECT '.length);
	});

	it('returns null when the snippet is not in the sent SQL (message from another query)', () => {
		const message = 'Binder Error: x\n\nLINE 1: SELECT nope FROM t\n               ^';
		expect(locateError(message, 'SELECT 1')).toBeNull();
	});

	it('returns null for end of input when nothing but comments was sent', () => {
		expect(locateError('Parser Error: syntax error at end of input', '-- nothing')).toBeNull();
	});

	it('places end of input after the last token, not after a trailing comment', () => {
		const sql = 'SELECT 1 +\n-- todo';
		expect(locateError('Parser Error: syntax error at end of input', sql)).toEqual({
			line: 1,
			column: 11,
			offset: 10
		});
	});
});

describe('positionAt', () => {
	const cases = [
		{ text: 'abc', offset: 0, line: 1, column: 1 },
		{ text: 'abc', offset: 3, line: 1, column: 4 },
		{ text: 'a\nbc', offset: 2, line: 2, column: 1 },
		{ text: 'a\r\nbc', offset: 3, line: 2, column: 1 },
		{ text: 'a\rbc', offset: 3, line: 2, column: 2 },
		{ text: 'a\n\nb', offset: 3, line: 3, column: 1 }
	];
	it.each(cases)('$text @ $offset → $line:$column', ({ text, offset, line, column }) => {
		expect(positionAt(text, offset)).toEqual({ line, column, offset });
	});
});

describe('friendlyDuckDBError', () => {
	const byName = (name: string) => ERROR_FIXTURES.find((f) => f.name === name)!.message;
	const cases = [
		{
			fixture: 'syntax error',
			name: 'ParserError',
			message: 'syntax error at or near "penguins"',
			detail: ''
		},
		{
			fixture: 'unknown column',
			name: 'BinderError',
			message: 'Referenced column "nope" not found in FROM clause!',
			detail: 'Candidate bindings: "species"'
		},
		{
			fixture: 'unknown table',
			name: 'CatalogError',
			message: 'Table with name x does not exist!',
			detail: ''
		},
		{
			fixture: 'unknown table with suggestion',
			name: 'CatalogError',
			message: 'Table with name pengiuns does not exist!',
			detail: 'Did you mean "penguins"?'
		},
		{
			fixture: 'type mismatch in a cast',
			name: 'ConversionError',
			message: "Could not convert string 'a' to INT32",
			detail: ''
		},
		{ fixture: 'invalid input, no position', name: 'InvalidInputError', message: 'missing ): (', detail: '' },
		{
			fixture: 'no position (overflow)',
			name: 'OutOfRangeError',
			message: 'Overflow in addition of INT32 (1 + 2147483647)!',
			detail: ''
		}
	];
	it.each(cases)('$fixture → $name', ({ fixture, name, message, detail }) => {
		expect(friendlyDuckDBError(byName(fixture))).toEqual({ name, message, detail });
	});

	it.each([
		{ text: 'IO Error: No files found that match the pattern "x.csv"', name: 'IOError' },
		{ text: 'INTERNAL Error: boom', name: 'InternalError' },
		{ text: 'Not implemented Error: nope', name: 'NotImplementedError' },
		{ text: 'something odd happened', name: 'DuckDBError' }
	])('names $name', ({ text, name }) => {
		expect(friendlyDuckDBError(text).name).toBe(name);
	});

	it('keeps candidate lists out of the message', () => {
		const error = friendlyDuckDBError(byName('no matching function'));
		expect(error.message).toMatch(/^No function matches/);
		expect(error.detail).toMatch(/^Candidate functions:/);
		expect(error.detail).not.toMatch(/LINE 1/);
	});
});
