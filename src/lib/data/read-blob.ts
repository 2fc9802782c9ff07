import { LoadError } from './load-error';

export interface ReadBlobOptions {
	/** Called after each chunk with the bytes read so far. */
	onChunk?: (bytesRead: number) => void;
	/** Checked after each chunk: true stops the read (it throws what `stopped` makes). */
	shouldStop?: () => boolean;
	stopped?: () => Error;
	fileName: string;
}

/**
 * Read a blob in chunks (so a load shows bytes read and a cancel lands before parsing), ending as soon as all of
 * its `size` bytes are in. A blob's size is fixed, so the stream's own end is not waited for: in Chromium that
 * end is a completion signal sent apart from the bytes, and a load that waited for it could sit after its
 * last byte with nothing left to read (the "stalled after reading every byte" Parquet load in formats.spec).
 */
export async function readBlob(blob: Blob, opts: ReadBlobOptions): Promise<Uint8Array<ArrayBuffer>> {
	const out = new Uint8Array(blob.size);
	if (blob.size === 0) return out;
	const reader = blob.stream().getReader();
	// Released without waiting: its close, like its end, may never be signalled.
	const release = () => void reader.cancel().catch(() => undefined);
	let offset = 0;
	try {
		while (offset < blob.size) {
			const { done, value } = await reader.read();
			if (done) {
				throw new LoadError(
					'ReadError',
					`${opts.fileName}: the file ended after ${offset} of its ${blob.size} bytes; it may have changed on disk while it was read.`
				);
			}
			if (offset + value.byteLength > blob.size) {
				throw new LoadError(
					'ReadError',
					`${opts.fileName}: more bytes came than the file's size (${blob.size}); it may have changed on disk while it was read.`
				);
			}
			out.set(value, offset);
			offset += value.byteLength;
			if (opts.shouldStop?.()) throw opts.stopped?.() ?? new Error('stopped');
			opts.onChunk?.(offset);
		}
		return out;
	} finally {
		release();
	}
}
