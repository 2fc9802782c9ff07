import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/lib/contract';
import { driftRows, driftTableFile } from '../../src/lib/monitoring/drift-table';

const H = 3_600_000;
const report: DriftReport = {
	model: 'penguins',
	from: 0,
	to: H,
	windowMs: H,
	references: [],
	windows: [
		{
			start: 1_700_000_000_000 - (1_700_000_000_000 % H),
			windowMs: H,
			version: 2,
			rows: 40,
			latencyP50: 3,
			latencyP99: 9,
			requests: 0,
			clientErrors: 0,
			serverErrors: 0,
			errorRate: null,
			drifted: 1,
			share: 0.5,
			datasetDrift: true,
			features: [
				{
					feature: 'mass',
					kind: 'numeric',
					test: 'ks',
					score: 0.001,
					threshold: 0.05,
					drifted: true,
					currentCount: 40,
					referenceCount: 240
				},
				{
					feature: '__prediction__',
					kind: 'categorical',
					test: null,
					score: null,
					threshold: null,
					drifted: null,
					currentCount: 0,
					referenceCount: 51,
					note: 'no value of this feature in the window'
				}
			]
		},
		{
			start: 0,
			windowMs: H,
			version: 1,
			rows: 3,
			latencyP50: null,
			latencyP99: null,
			requests: 0,
			clientErrors: 0,
			serverErrors: 0,
			errorRate: null,
			drifted: 0,
			share: 0,
			datasetDrift: false,
			features: []
		}
	]
};

describe('a drift report as a notebook table', () => {
	it('one row per window, version and feature, the prediction named as such, no result kept as null', () => {
		const rows = driftRows(report);
		expect(rows).toHaveLength(2);
		expect(rows[0]).toEqual({
			window_start: report.windows[0].start,
			window: new Date(report.windows[0].start).toISOString(),
			window_ms: H,
			version: 2,
			rows: 40,
			latency_p50_ms: 3,
			latency_p99_ms: 9,
			feature: 'mass',
			kind: 'numeric',
			test: 'ks',
			score: 0.001,
			threshold: 0.05,
			drifted: true,
			current_count: 40,
			reference_count: 240,
			note: null,
			dataset_drift: true,
			drift_share: 0.5
		});
		expect(rows[1]).toMatchObject({
			feature: 'prediction',
			drifted: null,
			test: null,
			note: 'no value of this feature in the window'
		});
	});

	it('is NDJSON named drift_<model>', async () => {
		const f = driftTableFile('penguin-watch', report);
		expect(f.name).toBe('drift_penguin_watch.ndjson');
		const lines = (await f.text()).split('\n');
		expect(lines.map((l) => JSON.parse(l).feature)).toEqual(['mass', 'prediction']);
	});
});
