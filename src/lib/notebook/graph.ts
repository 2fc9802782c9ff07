/**
 * The reactive dependency graph over cells. Cell B depends on cell A when B uses a name A defines, wherever
 * A sits in the document: as in marimo and Observable, order on the page is a tie-break, not the semantics.
 *
 * Names compare case-insensitively, as DuckDB compares identifiers (quoted ones too).
 *
 * A cell that uses a name it defines itself gets no self-edge. `CREATE OR REPLACE TABLE t AS … FROM t` reads
 * the previous `t`, and a cell named `t` may select from a dataset that was also called `t`; neither is
 * something another cell must produce first, so neither should block the cell as a cycle.
 *
 * Cells in a cycle cannot run in any order: they are left out of every order and reported, and so are the cells
 * downstream of a cycle (`blocked`), whose inputs can never be up to date.
 */

export interface GraphNode {
	id: string;
	defines: string[];
	uses: string[];
}

export interface RunOrder {
	/** Runnable cells, dependencies first, document order among cells free to go. */
	order: string[];
	/** Each strongly connected group of two or more cells, members in document order. */
	cycles: string[][];
	/** Cells not in a cycle but downstream of one. */
	blocked: string[];
}

interface Graph {
	/** Document index → indices of the cells that use something it defines. */
	out: number[][];
	index: Map<string, number>;
}

const norm = (name: string) => name.toLowerCase();

function build(nodes: readonly GraphNode[]): Graph {
	const definers = new Map<string, number[]>();
	nodes.forEach((node, i) => {
		for (const name of new Set(node.defines.map(norm)))
			definers.set(name, [...(definers.get(name) ?? []), i]);
	});
	const out = nodes.map(() => new Set<number>());
	nodes.forEach((node, i) => {
		for (const name of node.uses) {
			// A name defined twice makes its users depend on both definers: order stays safe, `conflicts` reports it.
			for (const from of definers.get(norm(name)) ?? []) if (from !== i) out[from].add(i);
		}
	});
	return {
		out: out.map((s) => [...s].sort((a, b) => a - b)),
		index: new Map(nodes.map((n, i) => [n.id, i]))
	};
}

/** Tarjan's strongly connected components; only groups of two or more are cycles, since self-edges are gone. */
function findCycles(out: number[][]): number[][] {
	const index: number[] = out.map(() => -1);
	const low: number[] = out.map(() => 0);
	const onStack: boolean[] = out.map(() => false);
	const stack: number[] = [];
	const cycles: number[][] = [];
	let counter = 0;
	const visit = (v: number) => {
		index[v] = low[v] = counter++;
		stack.push(v);
		onStack[v] = true;
		for (const w of out[v]) {
			if (index[w] === -1) {
				visit(w);
				low[v] = Math.min(low[v], low[w]);
			} else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
		}
		if (low[v] !== index[v]) return;
		const group: number[] = [];
		let w: number;
		do {
			w = stack.pop()!;
			onStack[w] = false;
			group.push(w);
		} while (w !== v);
		if (group.length > 1) cycles.push(group.sort((a, b) => a - b));
	};
	// Recursion depth is bounded by the cell count, which the schema caps at 500.
	for (let v = 0; v < out.length; v++) if (index[v] === -1) visit(v);
	return cycles.sort((a, b) => a[0] - b[0]);
}

function reachable(edges: number[][], starts: number[]): Set<number> {
	const seen = new Set<number>();
	const todo = [...starts];
	while (todo.length) {
		for (const w of edges[todo.pop()!]) {
			if (seen.has(w)) continue;
			seen.add(w);
			todo.push(w);
		}
	}
	return seen;
}

/** Kahn's algorithm, always taking the ready cell that comes first in the document. */
function topological(out: number[][], excluded: Set<number>): number[] {
	const indegree = out.map(() => 0);
	out.forEach((targets, v) => {
		if (!excluded.has(v)) for (const w of targets) indegree[w]++;
	});
	const ready = out.map((_, v) => v).filter((v) => !excluded.has(v) && indegree[v] === 0);
	const order: number[] = [];
	while (ready.length) {
		const v = ready.shift()!;
		order.push(v);
		for (const w of out[v]) {
			if (excluded.has(w) || --indegree[w] > 0) continue;
			const at = ready.findIndex((r) => r > w);
			ready.splice(at === -1 ? ready.length : at, 0, w);
		}
	}
	return order;
}

function analyse(nodes: readonly GraphNode[]) {
	const graph = build(nodes);
	const cycles = findCycles(graph.out);
	const inCycle = new Set(cycles.flat());
	const blocked = [...reachable(graph.out, [...inCycle])]
		.filter((v) => !inCycle.has(v))
		.sort((a, b) => a - b);
	const order = topological(graph.out, new Set([...inCycle, ...blocked]));
	return { graph, cycles, blocked, order };
}

/** A stable run order for `ids` (all cells by default); dependencies outside `ids` still shape the order. */
export function runOrder(nodes: readonly GraphNode[], ids?: readonly string[]): RunOrder {
	const { cycles, blocked, order } = analyse(nodes);
	const wanted = ids ? new Set(ids) : null;
	const keep = (id: string) => !wanted || wanted.has(id);
	const toIds = (vs: number[]) => vs.map((v) => nodes[v].id);
	return {
		order: toIds(order).filter(keep),
		cycles: cycles.map(toIds).filter((group) => group.some(keep)),
		blocked: toIds(blocked).filter(keep)
	};
}

function related(nodes: readonly GraphNode[], id: string, direction: 'down' | 'up'): string[] {
	const { graph, order } = analyse(nodes);
	const start = graph.index.get(id);
	if (start === undefined) return [];
	let edges = graph.out;
	if (direction === 'up') {
		edges = graph.out.map(() => []);
		graph.out.forEach((targets, v) => targets.forEach((w) => edges[w].push(v)));
	}
	const found = reachable(edges, [start]);
	return order.filter((v) => v !== start && found.has(v)).map((v) => nodes[v].id);
}

/** The cells that must re-run after `id` changes, transitively, in run order (cycles and blocked cells left out). */
export function dependents(nodes: readonly GraphNode[], id: string): string[] {
	return related(nodes, id, 'down');
}

/** The cells `id` needs, transitively, in run order (cycles and blocked cells left out). */
export function upstream(nodes: readonly GraphNode[], id: string): string[] {
	return related(nodes, id, 'up');
}

/** Names defined by more than one cell (lower-cased), with those cells in document order. */
export function conflicts(nodes: readonly GraphNode[]): { name: string; ids: string[] }[] {
	const byName = new Map<string, string[]>();
	for (const node of nodes) {
		for (const name of new Set(node.defines.map(norm)))
			byName.set(name, [...(byName.get(name) ?? []), node.id]);
	}
	return [...byName].filter(([, ids]) => ids.length > 1).map(([name, ids]) => ({ name, ids }));
}
