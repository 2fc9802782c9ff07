/**
 * Streaming FedAvg: the weighted average of a round's client weights, kept as a running sum so that memory is
 * proportional to the model and not to the number of clients, and so that a Durable Object can persist the sum
 * after each accepted update and resume after an eviction exactly where it was.
 *
 * Defined as Flower's `aggregate` (flwr/server/strategy/aggregate.py): Σ_k n_k·w_k / Σ_k n_k, weighted by each
 * client's example count. Flower sums in the weights' dtype (float32); the sum here is float64, so the result is
 * the float32 rounding of the exact average and can differ from Flower's in the last bit or two, never more.
 */
import {
	checkExamples,
	checkUpdates,
	checkWeights,
	FederatedInputError,
	type ClientUpdate,
	type Weights
} from './errors';

const MAGIC = 0x41464245; // 'EBFA' read as a little-endian uint32: Edgebook FedAvg accumulator.
const VERSION = 1;
/** magic u32, version u32, length u32, updates u32, total examples f64; the sum starts 8-byte aligned. */
const HEADER_BYTES = 24;
/** Durable Object storage takes values up to 128 KiB (KV API); a chunk of this size fits. */
export const DEFAULT_CHUNK_BYTES = 128 * 1024;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class FedAvgAccumulator {
	/** Σ n_k · w_k, per coordinate. */
	readonly sum: Float64Array;
	/** Σ n_k. Exact while below 2^53. */
	totalExamples = 0;
	/** How many updates have been added. */
	updates = 0;

	constructor(readonly length: number) {
		if (!Number.isInteger(length) || length <= 0)
			throw new FederatedInputError(`length must be a positive integer, got ${length}`);
		this.sum = new Float64Array(length);
	}

	/**
	 * Adds one client's weights with its example count. The update is checked in full first (length, finite
	 * values, count), so a refused update leaves the sum untouched. Then one tight loop, no allocation.
	 */
	add(weights: Weights, numExamples: number): void {
		checkWeights(weights, this.length, 'update');
		checkExamples(numExamples, 'update');
		const sum = this.sum;
		const n = numExamples;
		for (let i = 0; i < sum.length; i++) sum[i] += weights[i] * n;
		this.totalExamples += n;
		this.updates++;
	}

	/** The weighted average so far, as float32 weights. Throws before the first update. */
	result(): Weights {
		if (this.updates === 0) throw new FederatedInputError('no updates were added to the round');
		const out = new Float32Array(this.length);
		const t = this.totalExamples;
		const sum = this.sum;
		for (let i = 0; i < out.length; i++) out[i] = sum[i] / t;
		return out;
	}

	/** The state as bytes (little-endian): header then the float64 sum. */
	serialize(): Uint8Array {
		const bytes = new Uint8Array(HEADER_BYTES + this.length * 8);
		const view = new DataView(bytes.buffer);
		view.setUint32(0, MAGIC, true);
		view.setUint32(4, VERSION, true);
		view.setUint32(8, this.length, true);
		view.setUint32(12, this.updates, true);
		view.setFloat64(16, this.totalExamples, true);
		if (LITTLE_ENDIAN)
			bytes.set(new Uint8Array(this.sum.buffer, this.sum.byteOffset, this.length * 8), HEADER_BYTES);
		else for (let i = 0; i < this.length; i++) view.setFloat64(HEADER_BYTES + i * 8, this.sum[i], true);
		return bytes;
	}

	static deserialize(bytes: Uint8Array): FedAvgAccumulator {
		if (bytes.length < HEADER_BYTES)
			throw new FederatedInputError('accumulator state is shorter than its header');
		const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		if (view.getUint32(0, true) !== MAGIC) throw new FederatedInputError('not a FedAvg accumulator state');
		const version = view.getUint32(4, true);
		if (version !== VERSION)
			throw new FederatedInputError(`accumulator state version ${version} is not ${VERSION}`);
		const length = view.getUint32(8, true);
		if (bytes.length !== HEADER_BYTES + length * 8)
			throw new FederatedInputError(
				`accumulator state has ${bytes.length} bytes, expected ${HEADER_BYTES + length * 8} for ${length} parameters`
			);
		const acc = new FedAvgAccumulator(length);
		acc.updates = view.getUint32(12, true);
		acc.totalExamples = view.getFloat64(16, true);
		if (LITTLE_ENDIAN) {
			// Copy into the aligned Float64Array: the input's offset need not be a multiple of 8.
			new Uint8Array(acc.sum.buffer).set(bytes.subarray(HEADER_BYTES));
		} else for (let i = 0; i < length; i++) acc.sum[i] = view.getFloat64(HEADER_BYTES + i * 8, true);
		return acc;
	}

	/** The state split into pieces of at most `maxBytes` (views into one buffer, no copy), for per-key storage. */
	toChunks(maxBytes = DEFAULT_CHUNK_BYTES): Uint8Array[] {
		return splitBytes(this.serialize(), maxBytes);
	}

	static fromChunks(chunks: readonly Uint8Array[]): FedAvgAccumulator {
		return FedAvgAccumulator.deserialize(joinBytes(chunks));
	}
}

/** The FedAvg of a whole round at once (Flower's `aggregate`): the accumulator fed every update in order. */
export function fedAvg(updates: readonly ClientUpdate[]): Weights {
	const acc = new FedAvgAccumulator(checkUpdates(updates, 'fedAvg'));
	for (const u of updates) acc.add(u.weights, u.numExamples);
	return acc.result();
}

export function splitBytes(bytes: Uint8Array, maxBytes: number): Uint8Array[] {
	if (!Number.isInteger(maxBytes) || maxBytes <= 0)
		throw new FederatedInputError(`maxBytes must be a positive integer, got ${maxBytes}`);
	const out: Uint8Array[] = [];
	for (let at = 0; at < bytes.length; at += maxBytes) out.push(bytes.subarray(at, at + maxBytes));
	return out;
}

export function joinBytes(chunks: readonly Uint8Array[]): Uint8Array {
	let n = 0;
	for (const c of chunks) n += c.length;
	const out = new Uint8Array(n);
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.length;
	}
	return out;
}
