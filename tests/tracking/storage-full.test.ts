import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { guardStorage, isQuotaError, storageFullError } from '$lib/tracking/errors';

const quota = () => new DOMException('quota', 'QuotaExceededError');

describe('QuotaExceededError is recognised however it is wrapped', () => {
	const cases: [string, unknown, boolean][] = [
		['the DOMException itself', quota(), true],
		["Firefox's legacy name", { name: 'NS_ERROR_DOM_QUOTA_REACHED' }, true],
		["Dexie's mapped error", new Dexie.QuotaExceededError('quota'), true],
		['an abort carrying it as inner', new Dexie.AbortError('aborted', quota()), true],
		['a cause chain', new Error('outer', { cause: new Error('mid', { cause: quota() }) }), true],
		['a bulk write failure', new Dexie.BulkError('bulk', [new Error('x'), quota()]), true],
		['a constraint error', new Dexie.ConstraintError('dup'), false],
		['a plain error', new Error('boom'), false],
		['not an error', 'QuotaExceededError', false],
		['null', null, false]
	];
	it.each(cases)('%s → %s', (_, error, expected) => {
		expect(isQuotaError(error)).toBe(expected);
	});
});

describe('StorageFull tells the user how much was needed and what to free', () => {
	it('with the browser estimate', () => {
		const err = storageFullError('saving this run', 12.5 * 1024 * 1024, { usage: 2e9, quota: 2.1e9 });
		expect(err.name).toBe('StorageFull');
		expect(err.message).toContain('saving this run needs about 12.5 MB');
		expect(err.message).toContain('1.9 GB of 2.0 GB');
		expect(err.message).toContain('deleting runs or datasets');
		expect(err.details).toMatchObject({ neededBytes: 12.5 * 1024 * 1024 });
	});

	it('without one', () => {
		const err = storageFullError('logging 3 metric points', 300, null);
		expect(err.message).toContain('needs about 300 B.');
	});

	it('guardStorage maps quota failures and passes other errors through unchanged', async () => {
		await expect(guardStorage('x', 10, () => Promise.reject(quota()))).rejects.toMatchObject({
			name: 'StorageFull'
		});
		const other = new Error('other');
		await expect(guardStorage('x', 10, () => Promise.reject(other))).rejects.toBe(other);
		expect(await guardStorage('x', 10, async () => 7)).toBe(7);
	});
});
