/**
 * Ctrl/Cmd+Z meant for the notebook (undo a cell delete or move): not when focus is in something that edits
 * text, where the editor (CodeMirror, an input) undoes typing with the same keys.
 */
export function isUndoKey(e: KeyboardEvent): boolean {
	if (!(e.metaKey || e.ctrlKey) || e.shiftKey || e.altKey || e.key.toLowerCase() !== 'z') return false;
	if (e.defaultPrevented) return false;
	const target = e.target;
	if (!(target instanceof HTMLElement)) return true;
	return (
		!target.isContentEditable && !target.closest('input, textarea, select, [contenteditable], .cm-editor')
	);
}
