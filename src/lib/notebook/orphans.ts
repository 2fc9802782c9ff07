import { dependents, type GraphNode } from './graph';

/** A cell whose input is gone: it reads a table defined by a deleted cell, directly or through other cells. */
export interface Orphan {
	id: string;
	/** The table that went with the deleted cell. */
	missing: string;
	/** Whether the cell names that table itself, rather than reading a cell that did. */
	direct: boolean;
}

const norm = (name: string) => name.toLowerCase();

/**
 * What deleting cell `id` takes away (docs/architecture.md, "What runs where": tables live in this tab's
 * DuckDB). `dropped`: the names it defines that no other cell defines, which must leave DuckDB with it, or a
 * reader would keep reading the deleted cell's last result until a reload, after which it would fail.
 * `readers`: the cells downstream of those names, which now need a re-run. Training is never re-run by
 * itself (as in the scheduler), so a train cell and what reads it keep their results: `manual` says which.
 */
export function orphanedBy(
	nodes: readonly GraphNode[],
	id: string,
	manual: (id: string) => boolean = () => false
): { dropped: string[]; readers: Orphan[] } {
	const gone = nodes.find((n) => n.id === id);
	if (!gone) return { dropped: [], readers: [] };
	const others = new Set(nodes.filter((n) => n.id !== id).flatMap((n) => n.defines.map(norm)));
	const dropped = [...new Set(gone.defines)].filter((name) => !others.has(norm(name)));
	if (dropped.length === 0) return { dropped, readers: [] };
	const lost = new Set(dropped.map(norm));
	const byId = new Map(nodes.map((n) => [n.id, n]));
	const down = dependents(nodes, id);
	const skip = new Set(down.filter(manual).flatMap((t) => [t, ...dependents(nodes, t)]));
	const readers = down
		.filter((r) => !skip.has(r))
		.map((r) => {
			const named = byId.get(r)!.uses.find((u) => lost.has(norm(u)));
			return { id: r, missing: named ?? dropped[0], direct: named !== undefined };
		});
	return { dropped, readers };
}
