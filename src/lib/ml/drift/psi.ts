/**
 * Population Stability Index, as Evidently's "psi" stattest (legacy/calculations/stattests/psi.py):
 * Σ (ref_i − cur_i)·ln(ref_i / cur_i) over the shares from get_binned_data *with* zero filling (see binning.ts).
 * Drift when PSI ≥ threshold; Evidently's default is 0.1; the usual reading is < 0.1 stable, 0.1–0.25 moderate,
 * ≥ 0.25 significant shift (PSI_THRESHOLDS).
 */
import { binnedData, type FeatureKind, sharesFromCounts } from './binning';
import { type Category, type Counts, checkNonNegative, DriftInputError } from './errors';
import { cleanColumn } from './columns';

export const PSI_THRESHOLDS = { moderate: 0.1, significant: 0.25 } as const;

/** PSI of two aligned share vectors, used as they are (no normalising, no zero filling): zeros give ±∞/NaN. */
export function psiFromShares(reference: ArrayLike<number>, current: ArrayLike<number>): number {
	checkNonNegative(reference, 'psi: reference shares');
	checkNonNegative(current, 'psi: current shares');
	if (reference.length !== current.length)
		throw new DriftInputError(
			`psi: ${reference.length} reference shares and ${current.length} current shares`
		);
	let s = 0;
	for (let i = 0; i < reference.length; i++)
		s += (reference[i] - current[i]) * Math.log(reference[i] / current[i]);
	return s;
}

/** Evidently's PSI on raw columns. */
export function psi(reference: ArrayLike<Category>, current: ArrayLike<Category>, kind: FeatureKind): number {
	const ref = cleanColumn(reference, kind, 'psi: reference');
	const cur = cleanColumn(current, kind, 'psi: current');
	const b = binnedData(ref, cur, kind, true);
	return psiFromShares(b.reference, b.current);
}

/**
 * PSI from stored category or bin counts, with Evidently's zero filling. Given the counts of Evidently's bins it
 * equals `psi` on the rows (the shares are the same numbers).
 */
export function psiFromCounts(refCounts: Counts, curCounts: Counts): number {
	const b = sharesFromCounts(refCounts, curCounts, true, 'psiFromCounts');
	return psiFromShares(b.reference, b.current);
}
