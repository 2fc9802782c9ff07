import type { Cell } from './schema';
import type { OpenNotebook } from './notebook.svelte';
import { nextQueryName } from './cells';
import { idleRuntime } from './runtime';

/** A structural edit that can be undone. Edits to a cell's text undo inside its editor instead. */
export type CellEdit =
	| { kind: 'delete'; cell: Cell; index: number; message: string }
	| { kind: 'move'; id: string; delta: -1 | 1; message: string };

/** Enough for any run of clicks a user would want back; older edits fall off. */
const LIMIT = 50;

/** The notebook's undo stack for deletes and moves. It lives with the open tab, like an editor's history. */
export class CellHistory {
	#edits = $state.raw<CellEdit[]>([]);

	/** The edit an undo would take back (the toast shows it). */
	get last(): CellEdit | null {
		return this.#edits.at(-1) ?? null;
	}

	push(edit: CellEdit): void {
		this.#edits = [...this.#edits.slice(-(LIMIT - 1)), edit];
	}

	pop(): CellEdit | null {
		const edit = this.last;
		if (edit) this.#edits = this.#edits.slice(0, -1);
		return edit;
	}
}

/**
 * Undo one edit. A restored cell comes back where it was and, if it had a result, re-runs: its table is made
 * again and the cells that read it re-run with it. When its name now belongs to another cell it takes a fresh
 * one (returned as a note), so nothing the user wrote is lost and no table gets two definitions.
 */
export function undoEdit(nb: OpenNotebook, edit: CellEdit): string | null {
	if (edit.kind === 'move') {
		nb.moveCell(edit.id, edit.delta === 1 ? -1 : 1, false);
		return null;
	}
	const cell = edit.cell;
	let note: string | null = null;
	const lower = cell.kind === 'sql' ? cell.name.toLowerCase() : '';
	if (
		cell.kind === 'sql' &&
		lower &&
		nb.doc.cells.some((c) => c.kind === 'sql' && c.name.toLowerCase() === lower)
	) {
		const fresh = nextQueryName(nb.doc);
		note = `${cell.name} now names another cell's result: the restored cell is ${fresh}.`;
		cell.name = fresh;
	}
	nb.doc.cells.splice(Math.min(edit.index, nb.doc.cells.length), 0, cell);
	nb.runtime.set(cell.id, idleRuntime());
	nb.touch();
	const hadResult =
		cell.kind === 'sql'
			? cell.output?.kind === 'table'
			: cell.kind === 'chart' && !!(cell.spec.source && cell.spec.x);
	if (hadResult) void nb.runCell(cell.id);
	return note;
}
