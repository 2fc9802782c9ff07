// bench:monitoring, the parts that need no server (bench/monitoring.mjs runs them):
//
// Part 1, the kernel: the app's own code, bundled from its TypeScript by esbuild in memory (nothing reimplemented),
// profiles `rows` logged predictions × 20 numeric + 2 categorical inputs into one window exactly as the prediction
// log's object feeds a window (workers/monitoring/windows.ts: newWindow(reference, start), then per record
// window.updateRow(rowOf(record))), then computes profileDrift against a reference built by profileDataset (the
// train cell's path: REFERENCE_SAMPLE rows). Beside it, in the same run on the same numbers, what Evidently does with
// rows in memory: per feature a Float64Array of the values, sorted, then the exact normed Wasserstein-1 (the test
// Evidently's default picks for a reference over 1,000 rows, and the one profileDrift computes from sketches) and the
// exact two-sample KS statistic with its asymptotic p-value; per categorical feature the counts and Jensen–Shannon.
// Timed: rowOf + updateRow only (the records are made beforehand, 10,000 at a time, untimed; in the object they come
// from the NDJSON chunk it parses for live performance anyway).
//
// Part 3, the monitoring page's server-side work for 30 days of hourly windows: the same rows spread over 720 hours
// into 720 windows as the object's #profile does (a window per hour, newWindow on first sight), stored as the
// object stores them (JSON text per window), then what GET …/drift?from=<30 days ago>&window=hour does with them
// after its SQLite read (JSON.parse + DatasetProfile.fromJSON per window, driftWindows), the answer's JSON text, and
// what the page does with the answer (JSON.parse, monitorView). Not measured here: the SQLite read, the RPC from the
// Worker to the object, the HTTP hop, and the page's drawing of the charts (src/lib/components/MonitorCharts.svelte).
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { median, round } from '../lib.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The app's modules this bench calls, bundled in memory ($lib resolved as SvelteKit does) and imported. */
export async function importApp() {
	const contents = [
		"export * from './workers/monitoring/windows.ts';",
		"export { profileDrift } from './src/lib/ml/monitor/profile-drift.ts';",
		"export { ReferenceProfile, REFERENCE_SAMPLE } from './src/lib/ml/monitor/reference.ts';",
		"export { DatasetProfile, profileDataset, PREDICTION_FEATURE } from './src/lib/ml/profile/index.ts';",
		"export { monitorView } from './src/lib/monitoring/view.ts';"
	].join('\n');
	const lib = {
		name: 'sveltekit-lib',
		setup(b) {
			b.onResolve({ filter: /^\$lib(\/|$)/ }, (a) =>
				b.resolve(`./${a.path.replace(/^\$lib/, 'src/lib')}`, { kind: a.kind, resolveDir: ROOT })
			);
		}
	};
	const out = await build({
		stdin: { contents, resolveDir: ROOT, loader: 'ts' },
		bundle: true,
		format: 'esm',
		platform: 'neutral',
		write: false,
		logLevel: 'silent',
		plugins: [lib]
	});
	return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

export const NUMERIC = 20;
export const numericNames = Array.from({ length: NUMERIC }, (_, i) => `f${String(i).padStart(2, '0')}`);
export const CATEGORIES = ['north', 'south', 'east', 'west', 'centre'];
const CLASSES = ['a', 'b', 'c'];

/** How the current rows differ from the reference: 5 of the 20 numeric features and one categorical. */
export const SHIFTS = {
	f00: { mean: 0.5, label: 'mean +0.5σ' },
	f01: { mean: 0.25, label: 'mean +0.25σ' },
	f02: { mean: 0.15, label: 'mean +0.15σ' },
	f03: { scale: 1.6, label: 'σ × 1.6' },
	f04: { mean: 0.12, label: 'mean +0.12σ (near 0.1)' }
};
const CAT_SHIFT = { c1: 'centre ×3' };

function random(seed) {
	let s = seed >>> 0;
	return () => ((s = (s * 1664525 + 1013904223) >>> 0), (s + 0.5) / 2 ** 32);
}

/**
 * Columns of `n` rows: numeric feature i is normal(μ_i, σ_i) (different per feature), plus its shift when
 * `shifted`; c0 uniform over 5 categories, c1 skewed (and more so when shifted).
 */
export function columns(n, seed, shifted) {
	const next = random(seed);
	const normal = () => Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
	const numeric = numericNames.map((name, i) => {
		const mu = i * 0.7 - 3;
		const sigma = 0.5 + (i % 5) * 0.6;
		const s = shifted ? (SHIFTS[name] ?? {}) : {};
		const col = new Float64Array(n);
		for (let r = 0; r < n; r++) col[r] = mu + sigma * ((s.mean ?? 0) + (s.scale ?? 1) * normal());
		return col;
	});
	const c0 = new Uint8Array(n);
	const c1 = new Uint8Array(n);
	const weights = shifted ? [1, 1, 1, 1, 3] : [4, 3, 2, 1, 1];
	const total = weights.reduce((a, b) => a + b, 0);
	for (let r = 0; r < n; r++) {
		c0[r] = Math.floor(next() * CATEGORIES.length);
		let u = next() * total;
		let k = 0;
		while (u >= weights[k]) u -= weights[k++];
		c1[r] = k;
	}
	const label = new Uint8Array(n);
	for (let r = 0; r < n; r++) label[r] = numeric[0][r] > -3 ? (numeric[1][r] > -2.3 ? 0 : 1) : 2;
	return { n, numeric, categorical: { c0, c1 }, label };
}

/** A logged prediction record as the predict route writes it (src/lib/contract/prediction-log.ts). */
function record(data, r, at) {
	const inputs = {};
	for (let i = 0; i < NUMERIC; i++) inputs[numericNames[i]] = data.numeric[i][r];
	inputs.c0 = CATEGORIES[data.categorical.c0[r]];
	inputs.c1 = CATEGORIES[data.categorical.c1[r]];
	const label = CLASSES[data.label[r]];
	return {
		id: `0190${String(r).padStart(28, '0')}`,
		at,
		model: 'bench',
		version: 1,
		alias: 'champion',
		inputs,
		outputs: { label, probabilities: { a: 0.5, b: 0.3, c: 0.2 } },
		latencyMs: 2 + (r % 7),
		status: 'ok',
		route: 'primary'
	};
}

/** The reference as a train cell builds it: profileDataset over the columns, the prediction apart. */
function referenceOf(app, data) {
	const cols = {};
	const kinds = {};
	numericNames.forEach((name, i) => {
		cols[name] = data.numeric[i];
		kinds[name] = 'numeric';
	});
	for (const c of ['c0', 'c1']) {
		cols[c] = Array.from(data.categorical[c], (k) => CATEGORIES[k]);
		kinds[c] = 'categorical';
	}
	const inputs = app.profileDataset(cols, { kinds, seed: 0 });
	const prediction = app.profileDataset(
		{ [app.PREDICTION_FEATURE]: Array.from(data.label, (k) => CLASSES[k]) },
		{ kinds: { [app.PREDICTION_FEATURE]: 'categorical' } }
	);
	return new app.ReferenceProfile(inputs, prediction);
}

/**
 * Feeds every row into windows the way the log object does: `windowOf(record)` picks (or makes) the window, and
 * only rowOf + updateRow are timed. Records are made 10,000 at a time, untimed.
 */
function feed(app, data, atOf, windowOf) {
	const CHUNK = 10_000;
	let ms = 0;
	for (let from = 0; from < data.n; from += CHUNK) {
		const records = [];
		for (let r = from; r < Math.min(data.n, from + CHUNK); r++) records.push(record(data, r, atOf(r)));
		const t0 = performance.now();
		for (const rec of records) windowOf(rec).updateRow(app.rowOf(rec));
		ms += performance.now() - t0;
	}
	return ms;
}

// ---- the bare side: what Evidently does with both tables in memory ----

/** Exact Wasserstein-1 between two sorted samples (the area between their empirical CDFs), as SciPy computes it. */
function wasserstein(a, b) {
	let i = 0;
	let j = 0;
	let prev = Math.min(a[0], b[0]);
	let area = 0;
	while (i < a.length || j < b.length) {
		const x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
		area += Math.abs(i / a.length - j / b.length) * (x - prev);
		prev = x;
		while (i < a.length && a[i] === x) i++;
		while (j < b.length && b[j] === x) j++;
	}
	return area;
}

/** Population std (NumPy's np.std): Evidently norms the Wasserstein distance by the reference's. */
function std(a) {
	let s = 0;
	for (let i = 0; i < a.length; i++) s += a[i];
	const m = s / a.length;
	let v = 0;
	for (let i = 0; i < a.length; i++) v += (a[i] - m) ** 2;
	return Math.sqrt(v / a.length);
}

/** Two-sample KS statistic on sorted samples, and the asymptotic p-value (SciPy's kstwobign for large samples). */
function ks(a, b) {
	let i = 0;
	let j = 0;
	let d = 0;
	while (i < a.length && j < b.length) {
		const x = a[i] <= b[j] ? a[i] : b[j];
		while (i < a.length && a[i] === x) i++;
		while (j < b.length && b[j] === x) j++;
		d = Math.max(d, Math.abs(i / a.length - j / b.length));
	}
	const en = Math.sqrt((a.length * b.length) / (a.length + b.length));
	const lambda = en * d;
	let p = 0;
	if (lambda < 0.2) p = 1;
	else for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
	return { d, p: Math.min(1, Math.max(0, p)) };
}

/** Jensen–Shannon distance (natural log) of two count vectors over the same categories, as SciPy's jensenshannon. */
function jensenShannon(p, q) {
	const sp = p.reduce((a, b) => a + b, 0);
	const sq = q.reduce((a, b) => a + b, 0);
	let js = 0;
	for (let k = 0; k < p.length; k++) {
		const a = p[k] / sp;
		const b = q[k] / sq;
		const m = (a + b) / 2;
		if (a > 0) js += (a * Math.log(a / m)) / 2;
		if (b > 0) js += (b * Math.log(b / m)) / 2;
	}
	return Math.sqrt(Math.max(0, js));
}

const counts = (codes) => {
	const c = new Array(CATEGORIES.length).fill(0);
	for (let r = 0; r < codes.length; r++) c[codes[r]]++;
	return c;
};

/** Bare "profile": a sorted copy of every numeric column and the counts of every categorical one. */
function bareSort(data) {
	const t0 = performance.now();
	const sorted = data.numeric.map((col) => Float64Array.from(col).sort());
	const cats = { c0: counts(data.categorical.c0), c1: counts(data.categorical.c1) };
	return { ms: performance.now() - t0, sorted, cats };
}

function bareDrift(ref, cur) {
	const t0 = performance.now();
	const out = {};
	numericNames.forEach((name, i) => {
		const w = wasserstein(ref.sorted[i], cur.sorted[i]) / std(ref.sorted[i]);
		out[name] = { wasserstein: w, drifted: w >= 0.1 };
	});
	for (const c of ['c0', 'c1']) {
		const js = jensenShannon(ref.cats[c], cur.cats[c]);
		out[c] = { js, drifted: js >= 0.1 };
	}
	const wMs = performance.now() - t0;
	const t1 = performance.now();
	numericNames.forEach((name, i) => Object.assign(out[name], ks(ref.sorted[i], cur.sorted[i])));
	return { ms: wMs, ksMs: performance.now() - t1, features: out };
}

const fmt = (x) =>
	x === null || x === undefined ? '–' : x < 1e-3 && x > 0 ? x.toExponential(1) : round(x, 4);

/** Part 1. Answers the figures and the per-feature comparison. */
export function kernel(app, { rows, referenceRows }) {
	const t0 = performance.now();
	const refData = columns(referenceRows, 1, false);
	const curData = columns(rows, 2, true);
	const genMs = performance.now() - t0;

	// The reference, as a train cell builds it (its REFERENCE_SAMPLE caps what it profiles).
	const r0 = performance.now();
	const reference = referenceOf(app, refData);
	const referenceMs = performance.now() - r0;

	// One window of every row, as the log object feeds one (a window start in the past, so no clock is involved).
	const start = app.windowStart(Date.UTC(2026, 0, 1));
	const w0 = performance.now();
	const window = app.newWindow(reference, start);
	const newWindowMs = performance.now() - w0;
	const profileMs = feed(
		app,
		curData,
		() => start,
		() => window
	);

	const d0 = performance.now();
	const drift = app.profileDrift(reference, window);
	const driftMs = performance.now() - d0;

	const bareRef = bareSort(refData);
	const bareCur = bareSort(curData);
	const bare = bareDrift(bareRef, bareCur);

	const windowJson = JSON.stringify(window.toJSON());
	const referenceJson = JSON.stringify(reference.toJSON());
	const rawBytes = rows * NUMERIC * 8;

	const compare = drift.features
		.filter((f) => f.feature !== app.PREDICTION_FEATURE)
		.map((f) => {
			const b = bare.features[f.feature];
			return {
				feature: f.feature,
				shift: SHIFTS[f.feature]?.label ?? CAT_SHIFT[f.feature] ?? '',
				appTest: f.test,
				appScore: f.score,
				appDrifted: f.drifted,
				bareScore: b.wasserstein ?? b.js,
				bareDrifted: b.drifted,
				bareKsD: b.d ?? null,
				bareKsP: b.p ?? null
			};
		});
	const agree = compare.filter((c) => c.appDrifted === c.bareDrifted).length;
	const latency = window.numeric(app.LATENCY_FEATURE);
	return {
		rows,
		referenceRows,
		features: {
			numeric: NUMERIC,
			categorical: 2,
			plusInWindow: [app.PREDICTION_FEATURE, app.LATENCY_FEATURE]
		},
		generateMs: round(genMs, 0),
		app: {
			referenceProfileMs: round(referenceMs, 0),
			newWindowMs: round(newWindowMs, 2),
			profileMs: round(profileMs, 0),
			profileRowsPerS: Math.round(rows / (profileMs / 1000)),
			driftMs: round(driftMs, 1),
			windowJsonBytes: windowJson.length,
			referenceJsonBytes: referenceJson.length,
			windowRows: window.rowCount,
			latencyRows: latency.sketch.n,
			drifted: drift.drifted,
			share: round(drift.share, 3),
			datasetDrift: drift.datasetDrift
		},
		bare: {
			sortMs: round(bareCur.ms, 0),
			sortRowsPerS: Math.round(rows / (bareCur.ms / 1000)),
			referenceSortMs: round(bareRef.ms, 0),
			wassersteinMs: round(bare.ms, 1),
			ksMs: round(bare.ksMs, 1),
			rawBytes
		},
		agree,
		compared: compare.length,
		compare,
		fmt,
		// Kept for part 3, which spreads the same rows over 720 hours against the same reference.
		context: { reference, curData }
	};
}

/**
 * Part 3. Part 1's rows spread over 30 days, one hourly window per hour as the object keeps them; then the drift
 * route's and the page's work over all 720, `reps` times (medians).
 */
export function page(app, { reference, curData }, reps = 3) {
	const HOURS = 720;
	const rows = curData.n;
	const t0 = app.windowStart(Date.UTC(2026, 0, 1));
	const step = (HOURS * app.HOUR_MS) / rows;
	const windows = new Map();
	const profileMs = feed(
		app,
		curData,
		(r) => t0 + Math.floor(r * step),
		(rec) => {
			const start = app.windowStart(rec.at);
			let w = windows.get(start);
			if (!w) windows.set(start, (w = app.newWindow(reference, start)));
			return w;
		}
	);
	// What the object stores per window (the `windows` table's profile column).
	const stored = [...windows].map(([start, w]) => ({ version: 1, start, text: JSON.stringify(w.toJSON()) }));
	const storedBytes = stored.reduce((n, s) => n + s.text.length, 0);
	const loaded = { reference, source: 'uploaded' };
	const references = new Map([[1, loaded]]);

	const samples = { read: [], hour: [], day: [], stringify: [], parse: [], view: [] };
	let report = null;
	let text = '';
	let view = null;
	for (let i = 0; i < reps; i++) {
		let a = performance.now();
		const read = stored.map((s) => ({
			version: s.version,
			start: s.start,
			profile: app.DatasetProfile.fromJSON(JSON.parse(s.text))
		}));
		samples.read.push(performance.now() - a);
		a = performance.now();
		const hourly = app.driftWindows(read, app.HOUR_MS, references);
		samples.hour.push(performance.now() - a);
		a = performance.now();
		app.driftWindows(read, 24 * app.HOUR_MS, references);
		samples.day.push(performance.now() - a);
		report = {
			model: 'bench',
			from: t0,
			to: t0 + HOURS * app.HOUR_MS,
			windowMs: app.HOUR_MS,
			windows: hourly,
			references: [app.referenceSummary(1, loaded)]
		};
		a = performance.now();
		text = JSON.stringify(report);
		samples.stringify.push(performance.now() - a);
		a = performance.now();
		const back = JSON.parse(text);
		samples.parse.push(performance.now() - a);
		a = performance.now();
		view = app.monitorView(back, []);
		samples.view.push(performance.now() - a);
	}
	const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, round(median(v), 1)]));
	// How often each feature is flagged in an hourly window (~rows/720 rows each).
	const flagged = {};
	for (const w of report.windows)
		for (const f of w.features) flagged[f.feature] = (flagged[f.feature] ?? 0) + (f.drifted ? 1 : 0);
	return {
		hours: HOURS,
		windows: windows.size,
		rowsPerWindow: Math.round(rows / windows.size),
		features: report.windows[0].features.length,
		profileMs: round(profileMs, 0),
		storedBytes,
		answerBytes: text.length,
		heatCells: view.heat.length,
		reps,
		medianMs: med,
		serverMs: round(med.read + med.hour + med.stringify, 1),
		pageMs: round(med.parse + med.view, 1),
		flaggedPerFeature: flagged
	};
}
