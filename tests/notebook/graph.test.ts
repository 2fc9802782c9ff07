import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { conflicts, dependents, runOrder, upstream, type GraphNode } from '../../src/lib/notebook/graph';

/** `cell('b', ['x'], ['a'])`: cell b defines x and uses a. */
const cell = (id: string, defines: string[] = [], uses: string[] = []): GraphNode => ({ id, defines, uses });

const chain = [cell('a', ['ta']), cell('b', ['tb'], ['ta']), cell('c', ['tc'], ['tb'])];
const diamond = [
	cell('top', ['t']),
	cell('left', ['l'], ['t']),
	cell('right', ['r'], ['t']),
	cell('bottom', ['b'], ['l', 'r'])
];

describe('runOrder', () => {
	const cases: {
		name: string;
		nodes: GraphNode[];
		order: string[];
		cycles?: string[][];
		blocked?: string[];
	}[] = [
		{ name: 'chain', nodes: chain, order: ['a', 'b', 'c'] },
		{ name: 'chain written backwards runs forwards', nodes: [...chain].reverse(), order: ['a', 'b', 'c'] },
		{ name: 'diamond', nodes: diamond, order: ['top', 'left', 'right', 'bottom'] },
		{
			name: 'independent cells keep document order',
			nodes: [cell('x', ['p']), cell('y', ['q']), cell('z')],
			order: ['x', 'y', 'z']
		},
		{
			name: 'a late definer moves before its user, the rest stays put',
			nodes: [cell('m'), cell('user', [], ['t']), cell('n'), cell('def', ['t'])],
			order: ['m', 'n', 'def', 'user']
		},
		{
			name: 'names compare case-insensitively',
			nodes: [cell('u', [], ['Penguins']), cell('d', ['PENGUINS'])],
			order: ['d', 'u']
		},
		{
			name: 'self-reference is not a cycle',
			nodes: [cell('s', ['t'], ['t', 'raw']), cell('after', [], ['t'])],
			order: ['s', 'after']
		},
		{
			name: '2-cycle',
			nodes: [cell('a', ['x'], ['y']), cell('b', ['y'], ['x'])],
			order: [],
			cycles: [['a', 'b']]
		},
		{
			name: '3-cycle',
			nodes: [cell('a', ['x'], ['z']), cell('b', ['y'], ['x']), cell('c', ['z'], ['y'])],
			order: [],
			cycles: [['a', 'b', 'c']]
		},
		{
			name: 'cycle plus unaffected cells still ordered, downstream blocked',
			nodes: [
				cell('free1', ['f']),
				cell('a', ['x'], ['y', 'f']),
				cell('b', ['y'], ['x']),
				cell('down', ['d'], ['x']),
				cell('free2', [], ['f'])
			],
			order: ['free1', 'free2'],
			cycles: [['a', 'b']],
			blocked: ['down']
		},
		{
			name: 'two separate cycles reported separately',
			nodes: [
				cell('a', ['x'], ['y']),
				cell('b', ['y'], ['x']),
				cell('c', ['p'], ['q']),
				cell('d', ['q'], ['p'])
			],
			order: [],
			cycles: [
				['a', 'b'],
				['c', 'd']
			]
		},
		{
			name: 'a name defined twice: its user waits for both',
			nodes: [cell('u', [], ['t']), cell('d1', ['t']), cell('d2', ['t'])],
			order: ['d1', 'd2', 'u']
		}
	];
	it.each(cases)('$name', ({ nodes, order, cycles = [], blocked = [] }) => {
		expect(runOrder(nodes)).toEqual({ order, cycles, blocked });
	});

	it('orders a subset by the whole graph', () => {
		expect(runOrder(chain, ['c', 'a']).order).toEqual(['a', 'c']);
	});

	it('reports only the cycles a subset touches', () => {
		const nodes = [cell('a', ['x'], ['y']), cell('b', ['y'], ['x']), cell('c')];
		expect(runOrder(nodes, ['c'])).toEqual({ order: ['c'], cycles: [], blocked: [] });
		expect(runOrder(nodes, ['b']).cycles).toEqual([['a', 'b']]);
	});

	it('every edge between ordered cells points forward (random graphs)', () => {
		const names = ['p', 'q', 'r', 's', 't', 'u'];
		const node = fc.record({
			defines: fc.subarray(names, { maxLength: 2 }),
			uses: fc.subarray(names, { maxLength: 3 })
		});
		fc.assert(
			fc.property(fc.array(node, { maxLength: 12 }), (raw) => {
				const nodes = raw.map((n, i) => cell(`c${i}`, n.defines, n.uses));
				const { order, cycles, blocked } = runOrder(nodes);
				// Every cell is accounted for exactly once.
				expect([...order, ...cycles.flat(), ...blocked].sort()).toEqual(nodes.map((n) => n.id).sort());
				const position = new Map(order.map((id, i) => [id, i]));
				for (const user of nodes) {
					for (const def of nodes) {
						if (def === user || !def.defines.some((d) => user.uses.includes(d))) continue;
						if (position.has(def.id) && position.has(user.id)) {
							expect(position.get(def.id)!).toBeLessThan(position.get(user.id)!);
						}
					}
				}
			})
		);
	});
});

describe('dependents', () => {
	const cases = [
		{ name: 'chain from the top', nodes: chain, id: 'a', expected: ['b', 'c'] },
		{ name: 'chain from the middle', nodes: chain, id: 'b', expected: ['c'] },
		{ name: 'chain from the end', nodes: chain, id: 'c', expected: [] },
		{
			name: 'diamond from the top, bottom last',
			nodes: diamond,
			id: 'top',
			expected: ['left', 'right', 'bottom']
		},
		{ name: 'diamond from one side', nodes: diamond, id: 'left', expected: ['bottom'] },
		{ name: 'unknown id', nodes: chain, id: 'nope', expected: [] },
		{
			name: 'cycle members are left out',
			nodes: [
				cell('src', ['s']),
				cell('a', ['x'], ['y', 's']),
				cell('b', ['y'], ['x']),
				cell('ok', [], ['s'])
			],
			id: 'src',
			expected: ['ok']
		}
	];
	it.each(cases)('$name', ({ nodes, id, expected }) => {
		expect(dependents(nodes, id)).toEqual(expected);
	});
});

describe('upstream', () => {
	const cases = [
		{ name: 'chain end needs everything before', nodes: chain, id: 'c', expected: ['a', 'b'] },
		{ name: 'chain top needs nothing', nodes: chain, id: 'a', expected: [] },
		{ name: 'diamond bottom', nodes: diamond, id: 'bottom', expected: ['top', 'left', 'right'] },
		{ name: 'diamond side', nodes: diamond, id: 'right', expected: ['top'] }
	];
	it.each(cases)('$name', ({ nodes, id, expected }) => {
		expect(upstream(nodes, id)).toEqual(expected);
	});
});

describe('conflicts', () => {
	it('flags a name defined by two cells, case-insensitively', () => {
		const nodes = [cell('a', ['T']), cell('b', ['u']), cell('c', ['t']), cell('d', ['u', 'U'])];
		expect(conflicts(nodes)).toEqual([
			{ name: 't', ids: ['a', 'c'] },
			{ name: 'u', ids: ['b', 'd'] }
		]);
	});

	it('is empty when every name has one definer', () => {
		expect(conflicts(chain)).toEqual([]);
	});
});
