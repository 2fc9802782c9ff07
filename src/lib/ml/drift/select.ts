/**
 * Evidently's default choice of drift test per column and its dataset-drift rule.
 *
 * Selection (legacy/calculations/stattests/registry.py, _get_default_stattest), on columns already cleaned of
 * NaN/±Infinity, with n_values = distinct values of reference and current together:
 *   reference ≤ 1000 rows: numeric with n_values > 5 → "ks"; otherwise (categorical, or numeric with ≤ 5 values)
 *                          → "chisquare" if n_values > 2, else "z";
 *   reference > 1000 rows: numeric with n_values > 5 → "wasserstein" (normed); otherwise → "jensenshannon".
 * Thresholds are the StatTest defaults: ks, chisquare, z 0.05 on the p-value (ks drifts when p ≤ threshold,
 * chisquare and z when p < threshold); wasserstein, jensenshannon, psi 0.1 on the distance (drift when ≥).
 *
 * Dataset drift (legacy/calculations/data_drift.py, get_dataset_drift): share of drifted columns ≥ drift_share,
 * 0.5 by default.
 */
import { type FeatureKind } from './binning';
import { chiSquareTest } from './chi-square';
import { cleanColumn, inferKind } from './columns';
import { type Category, DriftInputError } from './errors';
import { jensenShannonTest } from './jensen-shannon';
import { ks2samp } from './ks';
import { psi } from './psi';
import { wassersteinNorm } from './wasserstein';
import { zTestProportions } from './z-test';

export type StatTestName = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi';

export interface StatTestInfo {
	name: StatTestName;
	defaultThreshold: number;
	/** true: the score is a p-value and a small one means drift; false: a distance, a large one means drift. */
	lowerIsDrift: boolean;
	/** p-value tests: whether p equal to the threshold counts as drift (only Evidently's ks uses ≤). */
	inclusive: boolean;
}

export const STAT_TESTS: Readonly<Record<StatTestName, StatTestInfo>> = {
	ks: { name: 'ks', defaultThreshold: 0.05, lowerIsDrift: true, inclusive: true },
	chisquare: { name: 'chisquare', defaultThreshold: 0.05, lowerIsDrift: true, inclusive: false },
	z: { name: 'z', defaultThreshold: 0.05, lowerIsDrift: true, inclusive: false },
	wasserstein: { name: 'wasserstein', defaultThreshold: 0.1, lowerIsDrift: false, inclusive: true },
	jensenshannon: { name: 'jensenshannon', defaultThreshold: 0.1, lowerIsDrift: false, inclusive: true },
	psi: { name: 'psi', defaultThreshold: 0.1, lowerIsDrift: false, inclusive: true }
};

/** Reference size up to which Evidently uses the hypothesis tests. */
export const EVIDENTLY_SMALL_REFERENCE = 1000;

export interface DriftResult {
	test: StatTestName;
	/** The test's statistic: KS D, chi-square χ², z, or the distance itself. */
	statistic: number;
	/** For ks, chisquare and z. */
	pvalue?: number;
	/** What Evidently reports as drift_score and compares with the threshold: the p-value or the distance. */
	score: number;
	threshold: number;
	drifted: boolean;
}

function distinctCount(...columns: Category[][]): number {
	const s = new Set<unknown>();
	for (const xs of columns) for (const x of xs) s.add(typeof x === 'boolean' ? Number(x) : x);
	return s.size;
}

/** Evidently's default test for a column (NaN/±Infinity are dropped first, as Evidently does). */
export function chooseStatTest(
	reference: ArrayLike<Category>,
	current: ArrayLike<Category>,
	kind: FeatureKind
): StatTestInfo {
	const ref = cleanColumn(reference, kind, 'chooseStatTest: reference');
	const cur = cleanColumn(current, kind, 'chooseStatTest: current');
	const nValues = distinctCount(ref, cur);
	const numericMany = kind === 'numeric' && nValues > 5;
	if (ref.length <= EVIDENTLY_SMALL_REFERENCE) {
		if (numericMany) return STAT_TESTS.ks;
		return nValues > 2 ? STAT_TESTS.chisquare : STAT_TESTS.z;
	}
	return numericMany ? STAT_TESTS.wasserstein : STAT_TESTS.jensenshannon;
}

/**
 * Runs one named test as Evidently does and applies its threshold (the test's default when none is given).
 * `kind` decides how JS and PSI bin the data; by default numeric when every present value is a number.
 */
export function driftTest(
	name: StatTestName,
	reference: ArrayLike<Category>,
	current: ArrayLike<Category>,
	threshold?: number,
	kind: FeatureKind = inferKind(reference, current)
): DriftResult {
	const info = STAT_TESTS[name];
	if (!info) throw new DriftInputError(`driftTest: unknown test ${String(name)}`);
	const thr = threshold ?? info.defaultThreshold;
	if (!Number.isFinite(thr)) throw new DriftInputError(`driftTest: threshold must be finite, got ${thr}`);
	const numeric = (xs: ArrayLike<Category>, what: string) => cleanColumn(xs, 'numeric', what) as number[];
	let statistic: number;
	let pvalue: number | undefined;
	switch (name) {
		case 'ks': {
			const r = ks2samp(numeric(reference, 'ks: reference'), numeric(current, 'ks: current'));
			[statistic, pvalue] = [r.statistic, r.pvalue];
			break;
		}
		case 'chisquare': {
			const r = chiSquareTest(reference, current);
			[statistic, pvalue] = [r.statistic, r.pvalue];
			break;
		}
		case 'z': {
			const r = zTestProportions(reference, current);
			[statistic, pvalue] = [r.statistic, r.pvalue];
			break;
		}
		case 'wasserstein':
			statistic = wassersteinNorm(
				numeric(reference, 'wasserstein: reference'),
				numeric(current, 'wasserstein: current')
			);
			break;
		case 'jensenshannon':
			statistic = jensenShannonTest(reference, current, kind);
			break;
		case 'psi':
			statistic = psi(reference, current, kind);
			break;
	}
	const score = pvalue ?? statistic;
	const drifted = info.lowerIsDrift ? (info.inclusive ? score <= thr : score < thr) : score >= thr;
	return {
		test: name,
		statistic,
		...(pvalue === undefined ? {} : { pvalue }),
		score,
		threshold: thr,
		drifted
	};
}

/** Evidently's default test for the column, run with its default threshold (or `threshold`). */
export function defaultDriftTest(
	reference: ArrayLike<Category>,
	current: ArrayLike<Category>,
	kind: FeatureKind,
	threshold?: number
): DriftResult {
	return driftTest(chooseStatTest(reference, current, kind).name, reference, current, threshold, kind);
}

export interface DatasetDriftResult {
	numberOfDriftedColumns: number;
	/** Share of drifted columns (Evidently's dataset_drift_score). */
	share: number;
	datasetDrift: boolean;
}

/** get_dataset_drift: drift when the share of drifted columns is ≥ `share` (0.5 by default). */
export function datasetDrift(
	results: readonly Pick<DriftResult, 'drifted'>[] | Readonly<Record<string, Pick<DriftResult, 'drifted'>>>,
	share = 0.5
): DatasetDriftResult {
	const list = Array.isArray(results) ? results : Object.values(results);
	if (list.length === 0) throw new DriftInputError('datasetDrift: no column results');
	if (!(share >= 0 && share <= 1))
		throw new DriftInputError(`datasetDrift: share must be in [0, 1], got ${share}`);
	const n = list.filter((r) => r.drifted).length;
	const s = n / list.length;
	return { numberOfDriftedColumns: n, share: s, datasetDrift: s >= share };
}
