import { closeCompletion, completionStatus } from '@codemirror/autocomplete';
import { ViewPlugin, type ViewUpdate } from '@codemirror/view';

/**
 * CodeMirror closes its completion list on blur, but only one already on screen: a completion that was
 * still pending (typing starts it after a short delay; our table list is async) opens later in an editor the
 * user has left, and that list then covers the buttons below the cell. Close any list in an unfocused editor.
 */
export const closeCompletionWhenUnfocused = ViewPlugin.fromClass(
	class {
		update(u: ViewUpdate) {
			if (u.view.hasFocus || completionStatus(u.state) === null) return;
			// An update may not dispatch another; close it on the next tick.
			setTimeout(() => {
				if (!u.view.hasFocus && completionStatus(u.view.state) !== null) closeCompletion(u.view);
			}, 0);
		}
	}
);
