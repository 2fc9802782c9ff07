import { describe, expect, it } from 'vitest';
import { runOrigin } from '$lib/components/run-origin';

const nb = {
	title: 'Penguins',
	cells: [
		{ id: 'c1', kind: 'sql' },
		{ id: 'c2', kind: 'train' }
	]
} as unknown as Parameters<typeof runOrigin>[2];

describe('a run names the notebook and cell that trained it', () => {
	it('names the title, the cell number and kind, and links the notebook', () => {
		expect(runOrigin('nb_1', 'c2', nb)).toEqual({ text: '“Penguins”, cell 2 (train)', notebookId: 'nb_1' });
	});
	it('says when the cell or the notebook is gone, and when the run came from outside a notebook', () => {
		expect(runOrigin('nb_1', 'cX', nb).text).toBe('“Penguins”, a cell since removed');
		expect(runOrigin('nb_1', 'c2', null)).toEqual({
			text: 'notebook nb_1 (no longer in this browser)',
			notebookId: null
		});
		expect(runOrigin(null, null, null).text).toBe('not from a notebook');
	});
});
