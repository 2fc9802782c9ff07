import { describe, expect, it } from 'vitest';
import { orphanedBy } from '../../src/lib/notebook/orphans';
import type { GraphNode } from '../../src/lib/notebook/graph';

const cell = (id: string, defines: string[] = [], uses: string[] = []): GraphNode => ({ id, defines, uses });

describe('orphanedBy (what deleting a cell takes away)', () => {
	const chain = [
		cell('a', ['q1']),
		cell('b', ['q2'], ['q1']),
		cell('c', ['q3'], ['Q2']),
		cell('d', ['q4'], ['q3']),
		cell('e', ['q5'], ['q1'])
	];

	it('drops the deleted cell’s table and marks its readers, directly or through other cells', () => {
		expect(orphanedBy(chain, 'b')).toEqual({
			dropped: ['q2'],
			readers: [
				{ id: 'c', missing: 'Q2', direct: true },
				{ id: 'd', missing: 'q2', direct: false }
			]
		});
	});

	it('a cell nobody reads only takes its table', () => {
		expect(orphanedBy(chain, 'e')).toEqual({ dropped: ['q5'], readers: [] });
	});

	it('keeps a name another cell still defines, and so its readers', () => {
		const twice = [cell('a', ['t']), cell('b', ['t']), cell('c', [], ['t'])];
		expect(orphanedBy(twice, 'a')).toEqual({ dropped: [], readers: [] });
	});

	it('leaves training and what reads a model alone (never re-run by itself)', () => {
		const nodes = [
			cell('a', ['q1']),
			cell('t', ['__model_t'], ['q1']),
			cell('ev', [], ['__model_t']),
			cell('r', ['q2'], ['q1'])
		];
		const { readers } = orphanedBy(nodes, 'a', (id) => id === 't');
		expect(readers.map((r) => r.id)).toEqual(['r']);
	});

	it('an unknown cell takes nothing', () => {
		expect(orphanedBy(chain, 'zz')).toEqual({ dropped: [], readers: [] });
	});
});
