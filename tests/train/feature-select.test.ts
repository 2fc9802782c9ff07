import { describe, expect, it } from 'vitest';
import { featureMode, globMatch, matchPattern, selectFeatures } from '../../src/lib/train/feature-select';
import { trainConfig } from '../../src/lib/notebook/schema';

const pixels = Array.from({ length: 784 }, (_, i) => `p${i}`);
const mnist = ['label', ...pixels];

describe('globMatch', () => {
	it.each([
		['p*', 'p0', true],
		['p*', 'p783', true],
		['p*', 'label', false],
		['p?', 'p7', true],
		['p?', 'p78', false],
		['*_mm', 'beak_mm', true],
		['*_mm', 'beak_mm_x', false],
		['a*b*c', 'aXXbYYc', true],
		['a*b*c', 'aXXcYYb', false],
		['*', '', true],
		['exact', 'exact', true],
		['exact', 'Exact', false]
	])('%s against %s is %s', (glob, name, want) => {
		expect(globMatch(glob, name)).toBe(want);
	});

	it('stays quick on a pattern that would make a backtracking regex explode', () => {
		const name = 'a'.repeat(5000) + 'b';
		expect(globMatch('*a*a*a*a*a*a*a*c', name)).toBe(false);
	});
});

describe('matchPattern', () => {
	it('matches every pixel of MNIST with p* and keeps table order', () => {
		const r = matchPattern('p*', mnist);
		expect(r.ok && r.matched.length).toBe(784);
		expect(r.ok && r.matched.slice(0, 3)).toEqual(['p0', 'p1', 'p2']);
	});
	it('takes comma-separated alternatives', () => {
		const r = matchPattern('p1?, label', mnist);
		expect(r.ok && r.matched).toEqual(['label', ...Array.from({ length: 10 }, (_, i) => `p1${i}`)]);
	});
	it('names a pattern that matches nothing', () => {
		const r = matchPattern('px*', mnist);
		expect(r).toEqual({ ok: false, message: expect.stringContaining('"px*" matches none of the 785') });
	});
	it('refuses regex syntax, naming the character', () => {
		const r = matchPattern('p[0-9]+', mnist);
		expect(r).toEqual({ ok: false, message: expect.stringMatching(/"p\[0-9\]\+" uses "\["/) });
	});
	it('refuses an empty pattern', () => {
		expect(matchPattern(' , ', mnist)).toEqual({ ok: false, message: expect.stringContaining('empty') });
	});
});

describe('selectFeatures', () => {
	const base = trainConfig.parse({ source: 'mnist', target: 'label' });

	it('an old notebook (no mode) with no list means all but the target, as before', () => {
		expect(featureMode(base)).toBe('all');
		const r = selectFeatures(base, mnist);
		expect(r.ok && r.features).toEqual(pixels);
	});
	it('an old notebook with a list means that list (pick)', () => {
		const old = trainConfig.parse({ source: 'mnist', target: 'label', features: ['p3', 'p4'] });
		expect(featureMode(old)).toBe('pick');
		expect(selectFeatures(old, mnist)).toMatchObject({ ok: true, features: ['p3', 'p4'] });
	});
	it('a pattern never selects the target even when it matches it', () => {
		const c = { ...base, featureMode: 'pattern' as const, featurePattern: '*' };
		const r = selectFeatures(c, mnist);
		expect(r.ok && r.features).toEqual(pixels);
	});
	it('a pattern that matches only the target is an error naming the pattern', () => {
		const c = { ...base, featureMode: 'pattern' as const, featurePattern: 'lab*' };
		expect(selectFeatures(c, mnist)).toEqual({ ok: false, message: expect.stringContaining('"lab*"') });
	});
	it('"all" ignores a stale picked list kept from the pick mode', () => {
		const c = { ...base, featureMode: 'all' as const, features: ['p1'] };
		expect(selectFeatures(c, mnist)).toMatchObject({ ok: true, features: pixels });
	});
});

describe('the features param of a wide run', () => {
	it('fits MLflow 6,000-character param limit and says how many there are', async () => {
		const { runParams } = await import('../../src/lib/train/model-spec');
		const names = Array.from({ length: 2000 }, (_, i) => `pixel_column_${i}`);
		const p = runParams(trainConfig.parse({ target: 'y' }), 'binary', names);
		expect(p.features.length).toBeLessThanOrEqual(6000);
		expect(p.features).toMatch(
			/^pixel_column_0,pixel_column_1,.* … and more \(2000 in all; preprocessing\.json lists them\)$/
		);
		expect(runParams(trainConfig.parse({ target: 'y' }), 'binary', pixels).features).toBe(pixels.join(','));
	});
});

describe('the transforms param', () => {
	it('records the declared lines without comments, and nothing when there are none', async () => {
		const { runParams } = await import('../../src/lib/train/model-spec');
		const c = trainConfig.parse({ target: 'y', transforms: 'hour(t)  # the hour\n\nclip(d, 0, 9)\n' });
		expect(runParams(c, 'binary', ['t_hour']).transforms).toBe('hour(t); clip(d, 0, 9)');
		expect(runParams(trainConfig.parse({ target: 'y' }), 'binary', ['a'])).not.toHaveProperty('transforms');
	});
});
