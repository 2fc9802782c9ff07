import type {
	DriftWindow,
	FeatureDistribution,
	PredictionRecord,
	ReferenceSummary
} from '../../src/lib/contract';
import { PREDICTION_COLUMN } from '../../src/lib/contract';
import { profileDrift } from '../../src/lib/ml/monitor/profile-drift';
import { referenceRows, type ReferenceProfile } from '../../src/lib/ml/monitor/reference';
import {
	DatasetProfile,
	NumericProfile,
	PREDICTION_FEATURE,
	histogramCounts,
	mixSeed,
	windowProfile
} from '../../src/lib/ml/profile';
import { outcomeOf } from '../predictions/outcomes';
import type { LoadedReference } from './reference';

/**
 * Production windows (docs/architecture.md, "Monitoring"): per version and hour, a profile shaped by the version's
 * reference (the same features, histogram edges and sketch settings, so it compares bin for bin and merges into
 * days), plus the request latency as one more numeric feature. Built one logged row at a time as rows arrive in
 * the model's log object, never by reading the log back.
 */

export const HOUR_MS = 3_600_000;
/** The latency a row's request took in the Worker, profiled beside the inputs (never part of drift). */
export const LATENCY_FEATURE = '__latency_ms__';
const LATENCY_EDGES = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000];

// The contract names the prediction the same way the kernel does.
if (PREDICTION_COLUMN !== PREDICTION_FEATURE)
	throw new Error('PREDICTION_COLUMN and PREDICTION_FEATURE differ');

/** An empty window for a version from `start`: shaped by its reference, or latency only when it has none. */
export function newWindow(reference: ReferenceProfile | null, start: number): DatasetProfile {
	const w = windowProfile({ features: reference?.features ?? new Map() }, { start, end: start + HOUR_MS });
	w.features.set(
		LATENCY_FEATURE,
		new NumericProfile({ edges: LATENCY_EDGES, k: 200, seed: mixSeed(7, start) })
	);
	return w;
}

/** What a logged record adds to a window: its inputs as sent, its prediction (label or value) and its latency. */
export function rowOf(record: PredictionRecord): Record<string, unknown> {
	const o = outcomeOf(record);
	return {
		...(record.inputs ?? {}),
		[PREDICTION_FEATURE]: o.kind === 'class' ? o.predicted : o.kind === 'value' ? o.value : null,
		[LATENCY_FEATURE]: record.latencyMs
	};
}

export const windowStart = (at: number) => Math.floor(at / HOUR_MS) * HOUR_MS;

export interface StoredWindow {
	version: number;
	start: number;
	profile: DatasetProfile;
}

const shapeOf = (p: DatasetProfile) => [...p.features.keys()].sort().join('\u0000');

/**
 * Hourly windows gathered into windows of `windowMs` (an hour or a day) per version, each compared with its
 * version's reference. Hours shaped differently (a reference uploaded mid-day) count in rows and latency, and only
 * those shaped like the reference count in drift.
 */
/** A drift window before the request counts are added (workers/monitoring/requests.ts). */
export type ProfiledWindow = Omit<DriftWindow, 'requests' | 'clientErrors' | 'serverErrors' | 'errorRate'>;

export function driftWindows(
	stored: StoredWindow[],
	windowMs: number,
	references: Map<number, LoadedReference>
): ProfiledWindow[] {
	const groups = new Map<string, StoredWindow[]>();
	for (const w of stored) {
		const key = `${w.version}\n${Math.floor(w.start / windowMs) * windowMs}`;
		const g = groups.get(key);
		if (g) g.push(w);
		else groups.set(key, [w]);
	}
	const out: ProfiledWindow[] = [];
	// Per version, the shape a window of its reference has (computed once, not per window).
	const shapes = new Map<number, string>();
	for (const [key, g] of groups) {
		const [version, start] = key.split('\n').map(Number);
		// One hour in the window (every hourly answer): read as stored, no copy; several: merged into a copy.
		let latency = g[0].profile.numeric(LATENCY_FEATURE);
		if (g.length > 1) {
			latency = latency.clone();
			for (const w of g.slice(1)) latency.merge(w.profile.numeric(LATENCY_FEATURE));
		}
		const rows = g.reduce((n, w) => n + w.profile.rowCount, 0);
		const base = {
			start,
			windowMs,
			version,
			rows,
			latencyP50: latency.sketch.n ? latency.sketch.quantile(0.5) : null,
			latencyP99: latency.sketch.n ? latency.sketch.quantile(0.99) : null
		};
		const reference = references.get(version)?.reference ?? null;
		if (!reference) {
			out.push({ ...base, features: [], drifted: 0, share: 0, datasetDrift: false });
			continue;
		}
		if (!shapes.has(version)) shapes.set(version, shapeOf(newWindow(reference, 0)));
		const want = shapes.get(version)!;
		const shaped = g.filter((w) => shapeOf(w.profile) === want);
		let merged = shaped.length ? shaped[0].profile : newWindow(reference, start);
		if (shaped.length > 1) {
			merged = merged.clone();
			for (const w of shaped.slice(1)) merged.merge(w.profile);
		}
		const d = profileDrift(reference, merged);
		out.push({
			...base,
			features: d.features,
			drifted: d.drifted,
			share: d.share,
			datasetDrift: d.datasetDrift
		});
	}
	return out.sort((a, b) => a.start - b.start || a.version - b.version);
}

export function referenceSummary(version: number, loaded: LoadedReference): ReferenceSummary {
	if (!loaded.reference) return { version, source: null, missing: loaded.missing, features: [] };
	return {
		version,
		source: loaded.source,
		features: [...loaded.reference.features].map(([feature, p]) => ({
			feature,
			kind: p.kind,
			rows: referenceRows(p)
		}))
	};
}

/** A number as people read it: four significant digits, no trailing zeros. */
export const num = (x: number) => String(Number(x.toPrecision(4)));

/**
 * A feature's reference and current distribution over the stored windows of one version (merged), aligned by the
 * kernel's histogramCounts; null when the version has no reference or the feature is not in it.
 */
export function featureDistribution(
	stored: StoredWindow[],
	version: number,
	feature: string,
	reference: ReferenceProfile | null
): FeatureDistribution | null {
	const ref = reference?.features.get(feature);
	if (!reference || !ref) return null;
	const want = shapeOf(newWindow(reference, 0));
	const mine = stored.filter((w) => w.version === version && shapeOf(w.profile) === want);
	const merged = mine.length ? mine[0].profile.clone() : newWindow(reference, 0);
	for (const w of mine.slice(1)) merged.merge(w.profile);
	const h = histogramCounts(ref, merged.features.get(feature)!);
	const labels =
		h.kind === 'categorical'
			? h.labels
			: h.reference.map((_, i) =>
					i === 0
						? `< ${num(h.edges[0])}`
						: i === h.edges.length
							? `≥ ${num(h.edges[h.edges.length - 1])}`
							: `${num(h.edges[i - 1])}–${num(h.edges[i])}`
				);
	return {
		feature,
		version,
		kind: h.kind,
		labels,
		reference: h.reference,
		current: h.current,
		nullsReference: h.nullsReference,
		nullsCurrent: h.nullsCurrent
	};
}
