import type { ScoringBody } from '../contract/scoring';
import type { OnnxDtype, OnnxSignature, OtherSpec, TensorSpec } from './onnx-signature';

/**
 * JSON values ↔ the typed tensors an ONNX graph takes and returns, checked against the graph's signature: which
 * inputs, what element type, what shape. Pure and runtime-neutral, so the edge (workers/inference) and the
 * notebook's ONNX cell check a request the same way and word a refusal the same way.
 */

export type TensorData =
	| Float32Array
	| Float64Array
	| Int32Array
	| Int16Array
	| Int8Array
	| Uint32Array
	| Uint16Array
	| Uint8Array
	| BigInt64Array
	| BigUint64Array
	| string[];

/** One input, ready for a runtime: `new ort.Tensor(dtype === 'bool' ? 'bool' : dtype, data, dims)`. */
export interface Feed {
	name: string;
	dtype: OnnxDtype;
	data: TensorData;
	dims: number[];
}

/** A request the graph cannot take; `input` names the graph input at fault (null when it is the body's shape). */
export class TensorInputError extends Error {
	constructor(
		message: string,
		readonly input: string | null = null
	) {
		super(message);
		this.name = 'TensorInputError';
	}
}

export const isTensor = (s: TensorSpec | OtherSpec): s is TensorSpec => s.type === 'tensor';

/** `[N, 4]`: each dimension by its symbolic name where the graph gives one, else its size (-1 as "?"). */
export function shapeText(spec: TensorSpec, sig?: Pick<OnnxSignature, 'dimNames'>): string {
	if (spec.unshaped) return '[any shape]';
	const names = sig?.dimNames[spec.name] ?? [];
	return `[${spec['tensor-spec'].shape.map((d, i) => (d >= 0 ? String(d) : (names[i] ?? '?'))).join(', ')}]`;
}

const INT_RANGE: Partial<Record<OnnxDtype, [number, number]>> = {
	int8: [-128, 127],
	uint8: [0, 255],
	int16: [-32768, 32767],
	uint16: [0, 65535],
	int32: [-2147483648, 2147483647],
	uint32: [0, 4294967295]
};

/** float → IEEE half bits (round to nearest even), for float16 inputs, which runtimes take as Uint16Array. */
export function toHalf(value: number): number {
	const f32 = new Float32Array([value]);
	const bits = new Uint32Array(f32.buffer)[0];
	const sign = (bits >>> 16) & 0x8000;
	const exp = (bits >>> 23) & 0xff;
	let mant = bits & 0x7fffff;
	if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
	const e = exp - 127 + 15;
	if (e >= 0x1f) return sign | 0x7c00;
	if (e <= 0) {
		if (e < -10) return sign;
		mant |= 0x800000;
		const shift = 14 - e;
		let half = mant >> shift;
		const rem = mant & ((1 << shift) - 1);
		const mid = 1 << (shift - 1);
		if (rem > mid || (rem === mid && half & 1)) half++;
		return sign | half;
	}
	let half = (e << 10) | (mant >> 13);
	const rem = mant & 0x1fff;
	// A carry out of the mantissa rounds up into the exponent, which is what IEEE rounding wants.
	if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
	return sign | half;
}

export function allocate(dtype: OnnxDtype, n: number): TensorData {
	switch (dtype) {
		case 'float32':
			return new Float32Array(n);
		case 'float64':
			return new Float64Array(n);
		case 'float16':
		case 'uint16':
			return new Uint16Array(n);
		case 'int32':
			return new Int32Array(n);
		case 'int16':
			return new Int16Array(n);
		case 'int8':
			return new Int8Array(n);
		case 'uint32':
			return new Uint32Array(n);
		case 'uint8':
		case 'bool':
			return new Uint8Array(n);
		case 'int64':
			return new BigInt64Array(n);
		case 'uint64':
			return new BigUint64Array(n);
		case 'string':
			return new Array<string>(n).fill('');
	}
}

const where = (path: number[]) => path.map((i) => `[${i}]`).join('');

/** One JSON leaf as the element type takes it, or a message saying why not. */
export function element(dtype: OnnxDtype, v: unknown): number | bigint | string | string {
	const bad = (what: string) => {
		throw new Error(what);
	};
	if (v === null)
		bad(
			`null (a missing value): ${dtype} elements must be given; the graph receives no NaN or null from JSON`
		);
	switch (dtype) {
		case 'string':
			return typeof v === 'string' ? v : bad(`${JSON.stringify(v)}: a string input takes text`);
		case 'bool':
			if (typeof v === 'boolean') return v ? 1 : 0;
			return v === 0 || v === 1 ? v : bad(`${JSON.stringify(v)}: a bool input takes true or false`);
		case 'float32':
		case 'float64':
		case 'float16':
			return typeof v === 'number' ? v : bad(`${JSON.stringify(v)}: a ${dtype} input takes numbers`);
		case 'int64':
		case 'uint64': {
			// int64 beyond 2^53 cannot travel as a JSON number: proto3 JSON sends it as a decimal string.
			if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) {
				const big = BigInt(v);
				const ok = dtype === 'int64' ? BigInt.asIntN(64, big) === big : BigInt.asUintN(64, big) === big;
				return ok ? big : bad(`${v}: out of ${dtype} range`);
			}
			if (typeof v !== 'number' || !Number.isInteger(v))
				return bad(`${JSON.stringify(v)}: an ${dtype} input takes whole numbers`);
			if (!Number.isSafeInteger(v))
				return bad(`${v}: beyond 2^53 a JSON number is not exact; send it as a decimal string`);
			if (dtype === 'uint64' && v < 0) return bad(`${v}: a uint64 input takes no negative numbers`);
			return BigInt(v);
		}
		default: {
			if (typeof v !== 'number' || !Number.isInteger(v))
				return bad(`${JSON.stringify(v)}: an ${dtype} input takes whole numbers`);
			const [lo, hi] = INT_RANGE[dtype]!;
			return v < lo || v > hi ? bad(`${v}: out of ${dtype} range ${lo}..${hi}`) : v;
		}
	}
}

/**
 * A nested JSON array → its dims and flat values of `dtype`. Every sub-array at one depth must have the length
 * of the first (a ragged array is refused where it turns ragged), and leaves all sit at the same depth.
 */
export function flatten(
	value: unknown,
	dtype: OnnxDtype,
	label: string
): { data: TensorData; dims: number[] } {
	const dims: number[] = [];
	for (let v = value; Array.isArray(v); v = v[0]) {
		dims.push(v.length);
		if (v.length === 0) break;
	}
	const count = dims.reduce((a, b) => a * b, 1);
	const data = allocate(dtype, count);
	let at = 0;
	const path: number[] = [];
	const walk = (v: unknown, depth: number) => {
		if (depth === dims.length) {
			if (Array.isArray(v))
				throw new TensorInputError(
					`${label}${where(path)} is an array where a value was expected (ragged nesting).`
				);
			let x: number | bigint | string;
			try {
				x = element(dtype, v);
			} catch (e) {
				throw new TensorInputError(`${label}${where(path)} is ${(e as Error).message}.`);
			}
			if (dtype === 'float16') (data as Uint16Array)[at++] = toHalf(x as number);
			else (data as unknown as (number | bigint | string)[])[at++] = x;
			return;
		}
		if (!Array.isArray(v) || v.length !== dims[depth])
			throw new TensorInputError(
				`${label}${where(path)} ${Array.isArray(v) ? `has ${v.length} entries` : 'is not an array'} but ${label}${where(path.map(() => 0))} has ${dims[depth]}: the array is ragged.`
			);
		for (let i = 0; i < v.length; i++) {
			path.push(i);
			walk(v[i], depth + 1);
			path.pop();
		}
	};
	walk(value, 0);
	return { data, dims };
}

/** The value for each input, from whichever envelope the body used. */
function valuesByInput(
	inputs: TensorSpec[],
	body: ScoringBody
): Map<string, { value: unknown[]; label: string }> {
	const names = inputs.map((i) => i.name);
	const list = names.map((n) => `"${n}"`).join(', ');
	const out = new Map<string, { value: unknown[]; label: string }>();
	if (body.kind === 'tensor') {
		if (inputs.length !== 1)
			throw new TensorInputError(
				`The model takes ${inputs.length} inputs (${list}): send ${body.format} as an object of input name → array.`
			);
		out.set(names[0], { value: body.value, label: body.format });
		return out;
	}
	if (body.kind === 'named') {
		const given = Object.keys(body.values);
		const extra = given.filter((g) => !names.includes(g));
		if (extra.length)
			throw new TensorInputError(`The model has no input "${extra[0]}"; it takes ${list}.`, extra[0]);
		for (const n of names) {
			if (!(n in body.values))
				throw new TensorInputError(`Input "${n}" is missing; the model takes ${list}.`, n);
			out.set(n, { value: body.values[n], label: `${body.format}.${n}` });
		}
		return out;
	}
	// A table: one input takes the whole frame as a matrix (MLflow: df.values), unless it names the input alone;
	// several inputs take one column each (MLflow: df[name].values).
	if (inputs.length === 1 && !(body.columns.length === 1 && body.columns[0] === names[0])) {
		out.set(names[0], { value: body.data, label: body.format });
		return out;
	}
	const extra = body.columns.filter((c) => !names.includes(c));
	if (extra.length)
		throw new TensorInputError(`The model has no input "${extra[0]}"; it takes ${list}.`, extra[0]);
	for (const n of names) {
		const col = body.columns.indexOf(n);
		if (col === -1) throw new TensorInputError(`Input "${n}" is missing; the model takes ${list}.`, n);
		out.set(n, { value: body.data.map((row) => row[col]), label: `${body.format} column "${n}"` });
	}
	return out;
}

/**
 * The feeds for a graph's inputs from a scoring body, each checked against its spec: element type, rank and
 * every fixed dimension. A value one rank short of a spec ending in 1 (a column of scalars for [N, 1]) gains that
 * axis, as numpy's reshape would give it.
 */
export function feedsFor(sig: Pick<OnnxSignature, 'inputs' | 'dimNames'>, body: ScoringBody): Feed[] {
	const inputs = sig.inputs.filter(isTensor);
	const values = valuesByInput(inputs, body);
	return inputs.map((spec) => {
		const { dtype, shape } = spec['tensor-spec'];
		const { value, label } = values.get(spec.name)!;
		const got = flatten(value, dtype, label);
		const dims = got.dims;
		if (!spec.unshaped && dims.length === shape.length - 1 && shape.at(-1) === 1) dims.push(1);
		const want = `Input "${spec.name}" takes ${dtype} ${shapeText(spec, sig)}`;
		if (dims[0] === 0) throw new TensorInputError(`${want}; the batch is empty.`, spec.name);
		if (!spec.unshaped && (dims.length !== shape.length || shape.some((d, i) => d >= 0 && d !== dims[i])))
			throw new TensorInputError(`${want}; got [${dims.join(', ')}].`, spec.name);
		return { name: spec.name, dtype, data: got.data, dims };
	});
}

type OutputValue = ArrayLike<number | bigint | string | boolean>;

/** A JSON value for one element: NaN and ±Infinity have none (null); int64 beyond 2^53 keeps its digits as text. */
function jsonElement(v: number | bigint | string | boolean): number | string | boolean | null {
	if (typeof v === 'bigint')
		return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
	if (typeof v === 'number') return Number.isFinite(v) ? v : null;
	return v;
}

/** A flat output and its dims → nested JSON arrays (a scalar for dims []). */
export function nest(data: OutputValue, dims: readonly number[], bool = false): unknown {
	const leaf = (i: number) => (bool ? Boolean(data[i]) : jsonElement(data[i]));
	if (dims.length === 0) return leaf(0);
	let at = 0;
	const build = (depth: number): unknown[] =>
		Array.from({ length: dims[depth] }, () => (depth === dims.length - 1 ? leaf(at++) : build(depth + 1)));
	return build(0);
}

export interface Output {
	name: string;
	dtype: string;
	data: OutputValue;
	dims: readonly number[];
}

/**
 * What the answer's `predictions` holds, as MLflow's scoring server writes it: outputs by name for tensor bodies
 * (`inputs`, `instances`), and one record per row for a table (dataframe_split/records), each output's row
 * slice, a scalar where a row has one value.
 */
export function predictionsOf(outputs: Output[], body: ScoringBody): unknown {
	const byName = Object.fromEntries(outputs.map((o) => [o.name, nest(o.data, o.dims, o.dtype === 'bool')]));
	if (body.kind !== 'records') return byName;
	const rows = body.data.length;
	return Array.from({ length: rows }, (_, r) =>
		Object.fromEntries(
			outputs.map((o) => {
				const value = byName[o.name];
				const row = Array.isArray(value) && o.dims[0] === rows ? value[r] : value;
				const flat = Array.isArray(row) ? row.flat(Infinity) : [row];
				return [o.name, flat.length === 1 ? flat[0] : row];
			})
		)
	);
}
