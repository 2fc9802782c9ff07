import { describe, expect, it } from 'vitest';
import type { DriftReport, PerformanceWindow } from '../../src/lib/contract';
import { monitorView } from '../../src/lib/monitoring/view';

const H = 3_600_000;
const feature = (f: Partial<DriftReport['windows'][number]['features'][number]>) => ({
	feature: 'mass',
	kind: 'numeric' as const,
	test: 'ks' as const,
	score: 0.5,
	threshold: 0.05,
	drifted: false,
	currentCount: 10,
	referenceCount: 100,
	...f
});

const drift: DriftReport = {
	model: 'm',
	from: 0,
	to: 3 * H,
	windowMs: H,
	windows: [
		{
			start: 0,
			windowMs: H,
			version: 1,
			rows: 10,
			latencyP50: 2,
			latencyP99: 9,
			requests: 10,
			clientErrors: 0,
			serverErrors: 0,
			errorRate: 0,
			features: [
				feature({}),
				feature({ feature: '__prediction__', kind: 'categorical', test: 'z', score: 0.2 })
			],
			drifted: 0,
			share: 0,
			datasetDrift: false
		},
		{
			start: H,
			windowMs: H,
			version: 1,
			rows: 30,
			latencyP50: 3,
			latencyP99: 12,
			requests: 40,
			clientErrors: 6,
			serverErrors: 2,
			errorRate: 0.2,
			features: [
				feature({ score: 0.00012, drifted: true }),
				feature({
					feature: '__prediction__',
					kind: 'categorical',
					test: 'wasserstein',
					score: 0.31,
					threshold: 0.1,
					drifted: true
				}),
				feature({
					feature: 'island',
					kind: 'categorical',
					test: null,
					score: null,
					threshold: null,
					drifted: null,
					note: 'no value of this feature in the window'
				})
			],
			drifted: 2,
			share: 1,
			datasetDrift: true
		},
		{
			start: H,
			windowMs: H,
			version: 2,
			rows: 5,
			latencyP50: null,
			latencyP99: null,
			requests: 8,
			clientErrors: 0,
			serverErrors: 3,
			errorRate: 0.375,
			features: [],
			drifted: 0,
			share: 0,
			datasetDrift: false
		}
	],
	references: [
		{ version: 1, source: 'run', features: [] },
		{ version: 2, source: null, missing: 'Version 2 of "m" has no reference profile', features: [] }
	]
};

const perf: PerformanceWindow[] = [
	{
		start: H,
		windowMs: H,
		version: 1,
		predictions: 30,
		labelled: 12,
		task: 'classification',
		accuracy: 0.75,
		macroF1: 0.7,
		auc: null,
		mae: null,
		rmse: null,
		estimatedAccuracy: 0.9
	}
];

describe('the monitoring page’s view of drift and performance', () => {
	it('totals, heatmap cells with their reasons, and the prediction named as such', () => {
		const v = monitorView(drift, perf);
		expect(v.totalRows).toBe(45);
		// Requests count every answer (the log samples rows): 58 answered, 11 of them with an error.
		expect([v.totalRequests, v.totalErrors]).toEqual([58, 11]);
		expect(v.traffic.map((t) => t.errorRate)).toEqual([0, 0.2, 0.375]);
		expect(v.features).toEqual(['mass', 'prediction', 'island']);
		expect(v.heat.map((c) => [c.start, c.feature, c.state])).toEqual([
			[0, 'mass', 'ok'],
			[0, 'prediction', 'ok'],
			[H, 'mass', 'drift'],
			[H, 'prediction', 'drift'],
			[H, 'island', 'none']
		]);
		expect(v.heat[2].detail).toBe('ks p = 1.2e-4 < 0.05');
		expect(v.heat[3].detail).toBe('wasserstein 0.31 ≥ 0.1');
		expect(v.heat[0].detail).toBe('ks p = 0.5 ≥ 0.05');
		expect(v.heat[4].detail).toBe('no value of this feature in the window');
	});

	it('joins performance to its window; real and estimated points apart; missing references named', () => {
		const v = monitorView(drift, perf);
		expect(v.windows[1]).toMatchObject({
			rows: 30,
			drifted: ['mass', 'prediction'],
			datasetDrift: true,
			accuracy: 0.75,
			estimatedAccuracy: 0.9
		});
		expect(v.windows[0]).toMatchObject({ accuracy: null, estimatedAccuracy: null });
		expect(v.performance).toEqual([
			{ start: H, version: 1, metric: 'accuracy', value: 0.75, kind: 'real' },
			{ start: H, version: 1, metric: 'macro F1', value: 0.7, kind: 'real' },
			{ start: H, version: 1, metric: 'accuracy', value: 0.9, kind: 'estimated' }
		]);
		expect(v.missing).toEqual([{ version: 2, reason: 'Version 2 of "m" has no reference profile' }]);
		expect(monitorView({ ...drift, windows: [], references: [] }, []).totalRows).toBe(0);
	});
});
