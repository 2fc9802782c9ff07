/**
 * Drift over HTTP (GET /api/v1/models/:name/drift): per window and version, each feature's test against the
 * version's reference profile, chosen as Evidently's defaults choose (docs/architecture.md, "Monitoring").
 */

/** The name the model's output goes by among the features (the kernel's PREDICTION_FEATURE). */
export const PREDICTION_COLUMN = '__prediction__';

export interface FeatureDriftView {
	feature: string;
	kind: 'numeric' | 'categorical';
	/** ks, chisquare and z give a p-value (drift below the threshold); wasserstein and jensenshannon a distance (drift at or above it). */
	test: 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | null;
	score: number | null;
	threshold: number | null;
	/** null: no result (the window holds no value of the feature; `note` says why). */
	drifted: boolean | null;
	currentCount: number;
	referenceCount: number;
	note?: string;
}

export interface DriftWindow {
	start: number;
	windowMs: number;
	version: number;
	/** Logged rows of this version in the window, shadows included. */
	rows: number;
	/** The Worker's time per request over those rows (ms), from a quantile sketch; null with no rows. */
	latencyP50: number | null;
	latencyP99: number | null;
	/**
	 * Every answer of the predict routes for this version in the window, whatever the log's sample rate: refused
	 * (4xx) and failed (5xx) ones apart, and their share of all (null with no request).
	 */
	requests: number;
	clientErrors: number;
	serverErrors: number;
	errorRate: number | null;
	/** Empty when the version has no reference profile (see `references`). */
	features: FeatureDriftView[];
	/** Evidently's dataset drift over the features with a result: drifted ones, their share, share ≥ 0.5. */
	drifted: number;
	share: number;
	datasetDrift: boolean;
}

export interface ReferenceSummary {
	version: number;
	/** Where it came from, or null with `missing` saying why there is none. */
	source: 'run' | 'uploaded' | null;
	missing?: string;
	/** Rows per feature it was built from (the prediction's are the test split's). */
	features: { feature: string; kind: 'numeric' | 'categorical'; rows: number }[];
}

/**
 * One feature's distribution in a version's reference and over the asked range (the range's windows merged), as
 * aligned counts: numeric histogram slots (underflow, the reference's bins, overflow) or categories (the reference's
 * by frequency, then new ones, then `__other__`). Nulls are counted apart.
 */
export interface FeatureDistribution {
	feature: string;
	version: number;
	kind: 'numeric' | 'categorical';
	/** A label per slot: "< 2.5", "2.5–3.1", "≥ 6.8", or the category. */
	labels: string[];
	reference: number[];
	current: number[];
	nullsReference: number;
	nullsCurrent: number;
}

export interface DriftReport {
	model: string;
	from: number;
	to: number;
	windowMs: number;
	windows: DriftWindow[];
	references: ReferenceSummary[];
	/** With `?feature=`: that feature's reference and current distributions (the newest version in range, or `version`). */
	distribution?: FeatureDistribution | null;
}
