import { describe, expect, it } from 'vitest';
import type { DriftReport, PredictionRecord } from '../../../src/lib/contract';
import { MAX_CHUNK_CHARS, chunksOf } from '../../../workers/predictions/log-store';
import { settle } from '../helpers';
import { draw, reference, trainedVersion } from '../monitoring/fixtures';
import { api, ok } from '../v1/fixtures';

/**
 * Volume: an isolate gathers every request's rows for 250 ms and appends them as stored chunks; a Durable Object's
 * SQLite refuses a value over 2 MB, so a large gathering goes in pieces. (Twenty 1,000-row requests in a row were one
 * gathering of several MB: SQLITE_TOOBIG, and every one of their rows was lost, along with their request counts.)
 */

describe('a large gathering of logged rows', () => {
	it('twenty 1,000-row requests in a row all reach the log and the windows, and are all counted', async () => {
		await trainedVersion('vol', reference());
		for (let i = 0; i < 20; i++) {
			const res = await api('/api/v1/models/vol/versions/1/predict', {
				method: 'POST',
				json: { dataframe_records: draw(1000, i % 3) }
			});
			expect(res.status).toBe(200);
			await res.arrayBuffer();
		}
		await settle();
		const { windows } = await ok<DriftReport>('/api/v1/models/vol/drift');
		expect(windows.map((w) => [w.rows, w.requests])).toEqual([[20_000, 20]]);
	}, 120_000);

	it('goes in pieces of at most MAX_CHUNK_CHARS, every record once and in order', () => {
		const records = Array.from(
			{ length: 3000 },
			(_, i) =>
				({
					id: `p${i}`,
					at: 1_000 + i,
					model: 'm',
					version: 1,
					alias: null,
					route: 'primary',
					inputs: { text: 'x'.repeat(i % 7 === 0 ? 400 : 40) },
					outputs: { label: 'a' },
					latencyMs: 1
				}) as unknown as PredictionRecord
		);
		const chunks = chunksOf(records);
		expect(chunks.length).toBeGreaterThan(1);
		for (const c of chunks) expect(c.ndjson.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
		const ids = chunks.flatMap((c) => c.ndjson.split('\n').map((l) => (JSON.parse(l) as { id: string }).id));
		expect(ids).toEqual(records.map((r) => r.id));
		expect(chunks.map((c) => c.count).reduce((a, b) => a + b)).toBe(3000);
		expect(chunks[1]).toMatchObject({ firstId: `p${chunks[0].count}`, firstAt: 1_000 + chunks[0].count });
		// A record longer than a piece still goes, alone.
		const huge = {
			...records[0],
			inputs: { text: 'y'.repeat(MAX_CHUNK_CHARS) }
		} as unknown as PredictionRecord;
		expect(chunksOf([records[1], huge, records[2]]).map((c) => c.count)).toEqual([1, 1, 1]);
		expect(chunksOf([])).toEqual([]);
	});
});
