import { describe, expect, it } from 'vitest';
import type { PredictionRecord } from '../../src/lib/contract';
import { flattenRecord, predictionLogFile, readPredictionLog } from '../../src/lib/sync/prediction-log';

const record = (id: string, at: number, extra: Partial<PredictionRecord> = {}): PredictionRecord => ({
	id,
	at,
	model: 'm',
	version: 1,
	alias: 'champion',
	inputs: { island: 'Dream', mass: 3800 },
	outputs: { label: 'Adelie', probabilities: { Adelie: 0.75, Gentoo: 0.25 } },
	latencyMs: 12,
	status: 'ok',
	route: 'primary',
	...extra
});

describe('the prediction log as a table', () => {
	it('flattens a record into scalar columns SQL reads without JSON functions', () => {
		expect(flattenRecord(record('a', 1_700_000_000_000))).toEqual({
			id: 'a',
			at: 1_700_000_000_000,
			time: '2023-11-14T22:13:20.000Z',
			model: 'm',
			version: 1,
			alias: 'champion',
			route: 'primary',
			shadow_of: null,
			latency_ms: 12,
			input_island: 'Dream',
			input_mass: 3800,
			output_label: 'Adelie',
			output_probabilities_Adelie: 0.75,
			output_probabilities_Gentoo: 0.25
		});
		// Tensors stay JSON text; hashed inputs keep their hash; a bare output is one column.
		const tensor = flattenRecord(
			record('b', 0, {
				inputs: undefined,
				inputsHash: 'ab12',
				outputs: [1, 2],
				route: 'shadow',
				shadowOf: 'a'
			})
		);
		expect(tensor).toMatchObject({ inputs_sha256: 'ab12', output: '[1,2]', route: 'shadow', shadow_of: 'a' });
		expect(Object.keys(tensor).some((k) => k.startsWith('input_'))).toBe(false);
	});

	it('reads every page from the last time seen, once per id, and names the file after the model', async () => {
		const pages: Record<string, { predictions: PredictionRecord[]; truncated: boolean }> = {
			'0': { predictions: [record('a', 1), record('b', 2)], truncated: true },
			'2': { predictions: [record('b', 2), record('c', 2), record('d', 3)], truncated: true },
			'3': { predictions: [record('d', 3)], truncated: false }
		};
		const asked: string[] = [];
		const all = await readPredictionLog(async (path) => {
			asked.push(path);
			return pages[new URL(path, 'http://x').searchParams.get('from')!];
		}, 'penguin species');
		expect(all.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
		expect(asked[0]).toBe('/api/v1/models/penguin%20species/predictions?from=0&limit=10000');
		const file = predictionLogFile('penguin species', all);
		expect(file.name).toBe('predictions_penguin_species.ndjson');
		expect((await file.text()).split('\n').map((l) => JSON.parse(l).id)).toEqual(['a', 'b', 'c', 'd']);
	});

	it('refuses an answer that is not a log page', async () => {
		await expect(readPredictionLog(async () => ({ rows: [] }), 'm')).rejects.toThrow();
	});
});
