/**
 * A dataset's profile ("profiles, never rows"): named feature profiles, the row count and the time window it
 * covers. The reference profile is built once, at registration, from the training split's columns
 * (`profileDataset`); production windows start empty with the reference's bins and sketch settings
 * (`windowProfile`) and take rows one at a time as predictions arrive (`updateRow`), so no log is re-read. Windows
 * merge (an hour into a day) with `mergeProfiles`, and travel as JSON with a version field.
 *
 * Size: a numeric feature is a few scalars, ~22 histogram counts and one KLL sketch (≤ ~3k + 8·levels retained
 * doubles, ~6.7 KB of base64 at k = 200 after 10^6 values); a categorical one at most `cap` categories. Neither
 * grows with the number of rows.
 *
 * Time windows are epoch milliseconds, start inclusive and end exclusive, or null when not a time window (a
 * reference). A merge covers from the earlier start to the later end.
 */
import { DEFAULT_BINS, equalWidthEdges, quantileEdges } from './bin-edges';
import { CategoricalProfile, DEFAULT_CATEGORY_CAP, type CategoricalProfileJSON } from './categorical-profile';
import { ProfileError, ProfileMismatchError, ProfileVersionError } from './errors';
import { DEFAULT_K } from './kll-sketch';
import { NumericProfile, type NumericProfileJSON } from './numeric-profile';

export const PROFILE_VERSION = 1;
/** The conventional feature name for the model's output (predicted value or label) in a profile. */
export const PREDICTION_FEATURE = '__prediction__';

export type FeatureProfile = NumericProfile | CategoricalProfile;
export type FeatureProfileJSON = NumericProfileJSON | CategoricalProfileJSON;
export type FeatureKind = 'numeric' | 'categorical';

export interface DatasetProfileJSON {
	version: number;
	rowCount: number;
	windowStart: number | null;
	windowEnd: number | null;
	features: Record<string, FeatureProfileJSON>;
}

/** murmur3's finaliser over a seed and a string, so every feature and window gets its own coin stream. */
export function mixSeed(seed: number, salt: string | number): number {
	let h = seed >>> 0;
	const s = String(salt);
	for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
	return (h ^ (h >>> 16)) >>> 0;
}

function checkWindow(start: number | null, end: number | null): void {
	for (const t of [start, end])
		if (t !== null && !Number.isFinite(t))
			throw new ProfileError(`window bounds must be finite or null, got ${t}`);
	if (start !== null && end !== null && end < start)
		throw new ProfileError(`window ends (${end}) before it starts (${start})`);
}

export class DatasetProfile {
	rowCount = 0;
	windowStart: number | null;
	windowEnd: number | null;
	readonly features: Map<string, FeatureProfile>;

	constructor(
		features: Map<string, FeatureProfile> | Record<string, FeatureProfile>,
		window: { start?: number | null; end?: number | null } = {}
	) {
		this.features = features instanceof Map ? new Map(features) : new Map(Object.entries(features));
		this.windowStart = window.start ?? null;
		this.windowEnd = window.end ?? null;
		checkWindow(this.windowStart, this.windowEnd);
	}

	/** One row, e.g. a logged prediction's inputs and output: a missing feature is a null. Extra keys are ignored. */
	updateRow(row: Readonly<Record<string, unknown>>): void {
		for (const [name, profile] of this.features) profile.update(row[name]);
		this.rowCount++;
	}

	numeric(name: string): NumericProfile {
		const p = this.features.get(name);
		if (!(p instanceof NumericProfile)) throw new ProfileError(`no numeric feature '${name}' in the profile`);
		return p;
	}

	categorical(name: string): CategoricalProfile {
		const p = this.features.get(name);
		if (!(p instanceof CategoricalProfile))
			throw new ProfileError(`no categorical feature '${name}' in the profile`);
		return p;
	}

	/** Adds `other` into this profile (same features, kinds, bins and settings) and returns it. */
	merge(other: DatasetProfile): this {
		const mine = [...this.features.keys()].sort();
		const theirs = [...other.features.keys()].sort();
		if (mine.join('\u0000') !== theirs.join('\u0000'))
			throw new ProfileMismatchError(
				`cannot merge profiles of different features ([${mine}] and [${theirs}])`
			);
		for (const name of mine) {
			const a = this.features.get(name)!;
			const b = other.features.get(name)!;
			if (a.kind !== b.kind)
				throw new ProfileMismatchError(
					`feature '${name}' is ${a.kind} in one profile and ${b.kind} in the other`
				);
		}
		// Every feature is checked before any is changed, so a refused merge leaves this profile as it was.
		for (const name of mine) {
			const a = this.features.get(name)!;
			const b = other.features.get(name)!;
			if (a instanceof NumericProfile && b instanceof NumericProfile) {
				if (a.edges.length !== b.edges.length || a.edges.some((e, i) => e !== b.edges[i]))
					throw new ProfileMismatchError(`feature '${name}': the profiles have different histogram edges`);
				if (a.sketch.k !== b.sketch.k)
					throw new ProfileMismatchError(`feature '${name}': sketch k ${a.sketch.k} and ${b.sketch.k}`);
			} else if (a instanceof CategoricalProfile && b instanceof CategoricalProfile && a.cap !== b.cap) {
				throw new ProfileMismatchError(`feature '${name}': category caps ${a.cap} and ${b.cap}`);
			}
		}
		for (const name of mine) {
			const a = this.features.get(name)!;
			const b = other.features.get(name)!;
			if (a instanceof NumericProfile) a.merge(b as NumericProfile);
			else a.merge(b as CategoricalProfile);
		}
		this.rowCount += other.rowCount;
		const min = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.min(x, y));
		const max = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.max(x, y));
		this.windowStart = min(this.windowStart, other.windowStart);
		this.windowEnd = max(this.windowEnd, other.windowEnd);
		return this;
	}

	clone(): DatasetProfile {
		return DatasetProfile.fromJSON(this.toJSON());
	}

	toJSON(): DatasetProfileJSON {
		const features: Record<string, FeatureProfileJSON> = {};
		for (const [name, p] of this.features) features[name] = p.toJSON();
		return {
			version: PROFILE_VERSION,
			rowCount: this.rowCount,
			windowStart: this.windowStart,
			windowEnd: this.windowEnd,
			features
		};
	}

	static fromJSON(json: DatasetProfileJSON): DatasetProfile {
		if (!json || typeof json !== 'object') throw new ProfileError('a dataset profile must be an object');
		if (json.version !== PROFILE_VERSION)
			throw new ProfileVersionError(
				`profile version ${json.version} is not readable (this code reads ${PROFILE_VERSION})`
			);
		if (!Number.isSafeInteger(json.rowCount) || json.rowCount < 0)
			throw new ProfileError(`rowCount must be a non-negative integer, got ${json.rowCount}`);
		if (!json.features || typeof json.features !== 'object')
			throw new ProfileError('profile features missing');
		const features = new Map<string, FeatureProfile>();
		for (const [name, f] of Object.entries(json.features)) {
			if (f?.kind === 'numeric') features.set(name, NumericProfile.fromJSON(f));
			else if (f?.kind === 'categorical') features.set(name, CategoricalProfile.fromJSON(f));
			else throw new ProfileError(`feature '${name}' has unknown kind ${(f as { kind?: unknown })?.kind}`);
			if (features.get(name)!.rows !== json.rowCount)
				throw new ProfileError(
					`feature '${name}' counts ${features.get(name)!.rows} rows, the profile ${json.rowCount}`
				);
		}
		const p = new DatasetProfile(features, { start: json.windowStart, end: json.windowEnd });
		p.rowCount = json.rowCount;
		return p;
	}
}

export interface ProfileDatasetOptions {
	/** Each column's kind; a column not named here is numeric when every non-null value is a number. */
	kinds?: Record<string, FeatureKind>;
	/** Histogram bins per numeric feature (default 20) and how they are placed (default equal width over [min, max]). */
	bins?: number;
	binning?: 'equal-width' | 'quantile';
	/** KLL k (default 200) and the seed every feature's coin stream is derived from (default 0). */
	k?: number;
	seed?: number;
	/** Distinct categories kept per categorical feature (default 1000). */
	categoryCap?: number;
	windowStart?: number | null;
	windowEnd?: number | null;
}

function inferKind(values: ArrayLike<unknown>): FeatureKind {
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (v !== null && v !== undefined && typeof v !== 'number') return 'categorical';
	}
	return 'numeric';
}

/**
 * The reference profile of a table held in memory (the training split, or the test split's predictions under
 * PREDICTION_FEATURE): columns by name, all the same length. Histogram edges come from each column's own finite
 * values; rows are fed in order, so the same table, options and seed give the same profile.
 */
export function profileDataset(
	columns: Readonly<Record<string, ArrayLike<unknown>>>,
	options: ProfileDatasetOptions = {}
): DatasetProfile {
	const names = Object.keys(columns);
	const rows = names.length ? columns[names[0]].length : 0;
	for (const name of names)
		if (columns[name].length !== rows)
			throw new ProfileError(`column '${name}' has ${columns[name].length} rows, '${names[0]}' has ${rows}`);
	const seed = options.seed ?? 0;
	const features = new Map<string, FeatureProfile>();
	for (const name of names) {
		const values = columns[name];
		const kind = options.kinds?.[name] ?? inferKind(values);
		if (kind === 'categorical') {
			const p = new CategoricalProfile({ cap: options.categoryCap ?? DEFAULT_CATEGORY_CAP });
			for (let i = 0; i < rows; i++) p.update(values[i]);
			features.set(name, p);
			continue;
		}
		if (kind !== 'numeric') throw new ProfileError(`column '${name}': unknown kind ${kind}`);
		// Into a typed array sized for every row, then sorted natively: pushing onto a number[] and copying it was
		// most of a 100k-row reference profile's time per feature.
		const finite = new Float64Array(rows);
		let count = 0;
		for (let i = 0; i < rows; i++) {
			const v = values[i];
			if (typeof v === 'number' && Number.isFinite(v)) finite[count++] = v;
		}
		const sorted = finite.subarray(0, count).sort();
		const bins = options.bins ?? DEFAULT_BINS;
		const edges =
			sorted.length === 0
				? []
				: options.binning === 'quantile'
					? quantileEdges(sorted, bins)
					: equalWidthEdges(sorted[0], sorted[sorted.length - 1], bins);
		const p = new NumericProfile({ edges, k: options.k ?? DEFAULT_K, seed: mixSeed(seed, name) });
		for (let i = 0; i < rows; i++) p.update(values[i]);
		features.set(name, p);
	}
	const profile = new DatasetProfile(features, { start: options.windowStart, end: options.windowEnd });
	profile.rowCount = rows;
	return profile;
}

/**
 * An empty production window shaped like `reference`: the same features and kinds, the reference's histogram edges,
 * sketch k and category cap, so the window merges with other windows and compares with the reference bin for bin.
 * Each window's coin streams are seeded from the reference's and the window start, so rebuilding a window from the
 * same predictions gives the same profile.
 */
export function windowProfile(
	reference: Pick<DatasetProfile, 'features'>,
	window: { start?: number | null; end?: number | null } = {}
): DatasetProfile {
	const features = new Map<string, FeatureProfile>();
	for (const [name, p] of reference.features) {
		if (p instanceof NumericProfile)
			features.set(
				name,
				new NumericProfile({
					edges: p.edges.slice(),
					k: p.sketch.k,
					seed: mixSeed(p.sketch.seed, window.start ?? 'window')
				})
			);
		else features.set(name, new CategoricalProfile({ cap: p.cap }));
	}
	return new DatasetProfile(features, window);
}

/** The profile of both inputs' rows, as a new profile; neither input changes. */
export function mergeProfiles(a: DatasetProfile, b: DatasetProfile): DatasetProfile {
	return a.clone().merge(b);
}
