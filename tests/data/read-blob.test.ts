import { describe, expect, it } from 'vitest';
import { readBlob } from '$lib/data/read-blob';

/** A blob whose stream gives `chunks` and then ends, or never says it ended (`close: false`). */
function blobOf(size: number, chunks: number[][], opts: { close: boolean }): Blob {
	return {
		size,
		stream: () =>
			new ReadableStream<Uint8Array>({
				start(c) {
					for (const chunk of chunks) c.enqueue(Uint8Array.from(chunk));
					if (opts.close) c.close();
				}
			})
	} as unknown as Blob;
}

describe('readBlob', () => {
	it('ends once every byte is in, without waiting for a stream end that never comes', async () => {
		const seen: number[] = [];
		const bytes = await readBlob(
			blobOf(
				5,
				[
					[1, 2, 3],
					[4, 5]
				],
				{ close: false }
			),
			{
				fileName: 'small.parquet',
				onChunk: (n) => seen.push(n)
			}
		);
		expect([...bytes]).toEqual([1, 2, 3, 4, 5]);
		expect(seen).toEqual([3, 5]);
	});

	it('reads a real Blob whole', async () => {
		const bytes = await readBlob(new Blob(['id,v\n1,2\n']), { fileName: 'a.csv' });
		expect(new TextDecoder().decode(bytes)).toBe('id,v\n1,2\n');
	});

	it('a stream that ends short of the size is a ReadError naming how far it got', async () => {
		await expect(
			readBlob(blobOf(5, [[1, 2]], { close: true }), { fileName: 'cut.csv' })
		).rejects.toMatchObject({
			name: 'ReadError',
			message: expect.stringContaining('cut.csv: the file ended after 2 of its 5 bytes')
		});
	});

	it('a stream that gives more than the size is a ReadError, not a write past the buffer', async () => {
		await expect(
			readBlob(blobOf(2, [[1, 2, 3]], { close: true }), { fileName: 'grew.csv' })
		).rejects.toMatchObject({ name: 'ReadError', message: expect.stringContaining('more bytes came') });
	});

	it("stops after the chunk in which a cancel is seen, with the caller's error", async () => {
		const stop = new Error('Cancelled by the user.');
		let chunks = 0;
		await expect(
			readBlob(
				blobOf(
					4,
					[
						[1, 2],
						[3, 4]
					],
					{ close: true }
				),
				{
					fileName: 'x.csv',
					shouldStop: () => true,
					stopped: () => stop,
					onChunk: () => chunks++
				}
			)
		).rejects.toBe(stop);
		expect(chunks).toBe(0);
	});
});
