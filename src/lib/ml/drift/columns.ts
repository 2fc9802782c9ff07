/**
 * Column cleaning by feature kind, as Evidently does before any stattest: NaN/null and ±Infinity dropped, an
 * empty result refused; a numeric column must then hold numbers only.
 */
import type { FeatureKind } from './binning';
import { type Category, DriftInputError, finiteValues, presentCategories } from './errors';

export function cleanColumn(xs: ArrayLike<Category>, kind: FeatureKind, what: string): Category[] {
	if (kind === 'numeric') return Array.from(finiteValues(xs as ArrayLike<number>, what));
	if (kind !== 'categorical') throw new DriftInputError(`${what}: kind must be 'numeric' or 'categorical'`);
	return presentCategories(xs, what);
}

/** 'numeric' when every present value is a number, else 'categorical'. */
export function inferKind(...columns: ArrayLike<Category>[]): FeatureKind {
	for (const xs of columns)
		for (let i = 0; i < xs.length; i++) {
			const x = xs[i];
			if (x != null && typeof x !== 'number') return 'categorical';
		}
	return 'numeric';
}
