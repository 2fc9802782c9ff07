import { describe, expect, it } from 'vitest';
import { aggregateSql, columnKind, histogramBins, histogramSql, topValuesSql } from '$lib/data/profile-sql';

describe('columnKind', () => {
	it.each([
		['BIGINT', 'numeric'],
		['DOUBLE', 'numeric'],
		['DECIMAL(18,3)', 'numeric'],
		['DATE', 'temporal'],
		['TIMESTAMP WITH TIME ZONE', 'temporal'],
		['VARCHAR', 'categorical'],
		['BOOLEAN', 'categorical'],
		['INTEGER[]', 'other'],
		['STRUCT(a INTEGER)', 'other']
	])('%s is %s', (type, kind) => expect(columnKind(type)).toBe(kind));
});

describe('profile SQL quotes every name', () => {
	it('a column named with a quote and a space cannot break out of its identifier', () => {
		const sql = aggregateSql('my "table"', [{ name: 'we"ird col', type: 'DOUBLE' }]);
		expect(sql).toContain('"we""ird col"');
		expect(sql).toContain('FROM "my ""table"""');
		expect(histogramSql('t', 'a"b', 0, 10)).toContain('"a""b"');
		expect(topValuesSql('t', 'a"b')).toContain('"a""b"');
	});
});

describe('histogramBins', () => {
	it('spreads counts over equal-width bins and keeps the top edge in the last bin', () => {
		const bins = histogramBins(
			[
				{ bin: 0, n: 3 },
				{ bin: 3, n: 1 },
				{ bin: 4, n: 2 }
			],
			0,
			10,
			5
		);
		expect(bins.map((b) => b.count)).toEqual([3, 0, 0, 1, 2]);
		expect(bins[0]).toMatchObject({ x0: 0, x1: 2 });
		expect(bins[4]).toMatchObject({ x0: 8, x1: 10 });
	});

	it('a constant column is one bin', () => {
		expect(histogramBins([{ bin: 0, n: 7 }], 5, 5, 20)).toEqual([{ x0: 5, x1: 6, count: 7 }]);
	});
});
