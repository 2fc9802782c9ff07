import type { ColumnData, EvaluationReport, Frame } from './types';
import type { OnnxSignature, TensorSpec } from './onnx-signature';
import { allocate, element, isTensor, shapeText, toHalf, type Feed, type Output } from './tensors';
import { classificationReport, regressionReport } from './metrics';

/**
 * An ONNX graph made anywhere, scored on a notebook table: which columns feed which input, which output is the
 * prediction, and the same evaluation report a trained model gets. Pure (the runtime that executes the graph is
 * the caller's), so the rules for turning columns into tensors and outputs into a report are tested here once.
 */

export interface OnnxMapping {
	/** Each tensor input's columns, in the order its last axis takes them. */
	inputs: Record<string, string[]>;
	/** The column holding the true values. */
	target: string;
	/** The output scored against the target. */
	prediction: string;
	task: 'auto' | 'classification' | 'regression';
}

/** An evaluation the table or the mapping cannot support; `name` is the cell error's name. */
export class OnnxEvalError extends Error {
	constructor(
		readonly kind: string,
		message: string
	) {
		super(message);
		this.name = kind;
	}
}

const FLOATS = new Set(['float32', 'float64', 'float16']);
const quote = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');
const perRow = (dims: readonly number[]) => dims.slice(1).reduce((a, b) => a * b, 1);

/** How many columns an input takes per row: its fixed last axis, or null when the graph leaves it open. */
export function columnsWanted(spec: TensorSpec): number | null {
	if (spec.unshaped) return null;
	const shape = spec['tensor-spec'].shape;
	if (shape.length === 1) return 1;
	if (shape.length === 2) return shape[1] >= 0 ? shape[1] : null;
	return shape.slice(1).every((d) => d === 1) ? 1 : -1;
}

/**
 * A first guess at the mapping from a table's columns: an input named like a column takes it; a single input
 * takes the columns other than the target, in table order (as many as it has room for).
 */
export function suggestMapping(
	sig: Pick<OnnxSignature, 'inputs'>,
	columns: readonly string[],
	target: string
): Record<string, string[]> {
	const inputs = sig.inputs.filter(isTensor);
	const rest = columns.filter((c) => c !== target);
	if (inputs.length === 1 && !columns.includes(inputs[0].name)) {
		const k = columnsWanted(inputs[0]);
		return { [inputs[0].name]: k === null ? rest : k > 0 ? rest.slice(0, k) : [] };
	}
	return Object.fromEntries(inputs.map((i) => [i.name, columns.includes(i.name) ? [i.name] : []]));
}

function hasValue(col: ColumnData, r: number): boolean {
	return col.kind === 'numeric' ? !Number.isNaN(col.values[r]) : col.values[r] !== null;
}

/** The rows that have a value in the target column: the rows an evaluation scores. */
export function labelledRows(frame: Frame, target: string): Uint32Array {
	const col = columnOf(frame, target, 'target');
	const out: number[] = [];
	for (let r = 0; r < frame.rowCount; r++) if (hasValue(col, r)) out.push(r);
	return Uint32Array.from(out);
}

function columnOf(frame: Frame, name: string, role: string): ColumnData {
	const col = frame.columns.find((c) => c.name === name);
	if (!col)
		throw new OnnxEvalError(
			'MissingColumns',
			`The table has no column "${name}" (the ${role}); it has ${quote(frame.columns.map((c) => c.name))}.`
		);
	return col;
}

/** One table value as the JSON leaf the tensor checks take: a number, or text. */
function leaf(col: ColumnData, r: number, dtype: string, input: string): unknown {
	const missing = () =>
		new OnnxEvalError(
			'MissingValue',
			`Column "${col.name}" has no value in row ${r + 1}; input "${input}" takes ${dtype} and a graph gets no nulls: filter or fill the missing values in SQL first.`
		);
	if (col.kind === 'numeric') {
		const v = col.values[r];
		if (Number.isNaN(v)) throw missing();
		return dtype === 'string' ? String(v) : v;
	}
	const v = col.values[r];
	if (v === null) throw missing();
	if (dtype === 'string') return v;
	if (dtype === 'bool' && (v === 'true' || v === 'false')) return v === 'true';
	const n = v.trim() === '' ? NaN : Number(v);
	if (!Number.isFinite(n))
		throw new OnnxEvalError(
			'ColumnType',
			`Column "${col.name}" holds text ("${v.slice(0, 40)}" in row ${r + 1}); input "${input}" takes ${dtype}.`
		);
	return n;
}

/**
 * The graph's feeds for `rows` of a table: each tensor input gets its mapped columns, checked against its element
 * type and shape ([N] or [N, 1] for one column, [N, k] for k). Throws OnnxEvalError naming the input, the
 * column and the row at fault.
 */
export function frameFeeds(
	sig: Pick<OnnxSignature, 'inputs' | 'dimNames'>,
	frame: Frame,
	inputs: Record<string, string[]>,
	rows: Uint32Array
): Feed[] {
	const tensors = sig.inputs.filter(isTensor);
	const other = sig.inputs.find((i) => !isTensor(i));
	if (other)
		throw new OnnxEvalError(
			'UnsupportedInput',
			`Input "${other.name}" takes ${'onnxType' in other ? other.onnxType : 'a non-tensor value'}, which a table's columns cannot fill.`
		);
	const extra = Object.keys(inputs).filter((n) => inputs[n].length && !tensors.some((t) => t.name === n));
	if (extra.length)
		throw new OnnxEvalError(
			'MappingError',
			`The model has no input "${extra[0]}"; it takes ${quote(tensors.map((t) => t.name))}.`
		);
	return tensors.map((spec) => {
		const { dtype, shape } = spec['tensor-spec'];
		const names = inputs[spec.name] ?? [];
		const want = `Input "${spec.name}" takes ${dtype} ${shapeText(spec, sig)}`;
		const k = columnsWanted(spec);
		if (!names.length)
			throw new OnnxEvalError(
				'MappingError',
				`${want}: map ${k === null ? 'one or more columns' : k === 1 ? 'a column' : `${k} columns`} to it.`
			);
		if (k === -1)
			throw new OnnxEvalError(
				'MappingError',
				`${want}: a table's rows fill [N] or [N, k] inputs, not rank ${shape.length}.`
			);
		if (k !== null && names.length !== k)
			throw new OnnxEvalError(
				'MappingError',
				`${want}: ${names.length} column${names.length === 1 ? ' is' : 's are'} mapped (${quote(names)}), it takes ${k}.`
			);
		const cols = names.map((n) => columnOf(frame, n, `input "${spec.name}"`));
		const width = cols.length;
		const data = allocate(dtype, rows.length * width);
		for (let i = 0; i < rows.length; i++) {
			for (let j = 0; j < width; j++) {
				const r = rows[i];
				let x: number | bigint | string;
				try {
					x = element(dtype, leaf(cols[j], r, dtype, spec.name));
				} catch (e) {
					if (e instanceof OnnxEvalError) throw e;
					throw new OnnxEvalError(
						'ColumnType',
						`Column "${cols[j].name}" row ${r + 1} for input "${spec.name}" is ${(e as Error).message}.`
					);
				}
				const at = i * width + j;
				if (dtype === 'float16') (data as Uint16Array)[at] = toHalf(x as number);
				else (data as unknown as (number | bigint | string)[])[at] = x;
			}
		}
		const dims =
			spec.unshaped || shape.length === 2
				? [rows.length, width]
				: [rows.length, ...shape.slice(1).map(() => 1)];
		return { name: spec.name, dtype, data, dims };
	});
}

/** A table value as a class name: numbers as JavaScript prints them (1, not 1.0), so 1 and 1n name one class. */
function className(v: unknown): string {
	return typeof v === 'bigint' ? v.toString() : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
}

function targetNames(col: ColumnData, rows: Uint32Array): string[] {
	return Array.from(rows, (r) => className(col.values[r]));
}

function sortClasses(names: Iterable<string>): string[] {
	const list = [...new Set(names)];
	const numeric = list.every((n) => n.trim() !== '' && Number.isFinite(Number(n)));
	return numeric ? list.sort((a, b) => Number(a) - Number(b)) : list.sort();
}

/**
 * Class names for a probability output's columns: where the graph also outputs labels (skl2onnx's `label` beside
 * `probabilities`), column c is named by the label the graph predicts when c is the most probable; else by index.
 */
function probabilityClasses(probs: Output, labels: Output | undefined, n: number, k: number): string[] {
	const names = Array.from({ length: k }, (_, c) => String(c));
	if (!labels) return names;
	const votes = Array.from({ length: k }, () => new Map<string, number>());
	for (let i = 0; i < n; i++) {
		let best = 0;
		for (let c = 1; c < k; c++)
			if (Number(probs.data[i * k + c]) > Number(probs.data[i * k + best])) best = c;
		const label = className(labels.data[i]);
		votes[best].set(label, (votes[best].get(label) ?? 0) + 1);
	}
	const named = votes.map((v) => [...v.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]);
	// Only a one-to-one naming is trusted; a class never predicted keeps its index unless that clashes.
	const taken = new Set(named.filter(Boolean));
	if (taken.size !== named.filter(Boolean).length) return names;
	return named.map((l, c) => l ?? (taken.has(String(c)) ? `class ${c}` : String(c)));
}

function classIndex(truth: string[], classes: string[]): Int32Array {
	const at = new Map(classes.map((c, i) => [c, i]));
	const unknown = [...new Set(truth.filter((t) => !at.has(t)))];
	if (unknown.length)
		throw new OnnxEvalError(
			'UnknownClass',
			`The target holds ${quote(unknown.slice(0, 5))}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}, which the model's output does not name; its classes are ${quote(classes.slice(0, 20))}.`
		);
	return Int32Array.from(truth, (t) => at.get(t)!);
}

export interface OnnxEvaluation {
	report: EvaluationReport;
	/** How the output was read, in words: "probabilities over 3 classes named by output label". */
	reading: string;
}

/** The report for a graph's outputs on the labelled `rows` of `frame`. */
export function evaluateOutputs(
	outputs: Output[],
	frame: Frame,
	rows: Uint32Array,
	mapping: Pick<OnnxMapping, 'target' | 'prediction' | 'task'>
): OnnxEvaluation {
	const n = rows.length;
	if (n === 0)
		throw new OnnxEvalError('NoLabels', `No row has a value in "${mapping.target}" to score against.`);
	const out = outputs.find((o) => o.name === mapping.prediction);
	if (!out)
		throw new OnnxEvalError(
			'MappingError',
			`The model has no tensor output "${mapping.prediction}"; it has ${quote(outputs.map((o) => o.name))}.`
		);
	if (out.dims[0] !== n || out.data.length !== n * perRow(out.dims))
		throw new OnnxEvalError(
			'OutputShape',
			`Output "${out.name}" has shape [${out.dims.join(', ')}] for ${n} rows: it must give one prediction per row.`
		);
	const width = perRow(out.dims);
	const float = FLOATS.has(out.dtype);
	const target = columnOf(frame, mapping.target, 'target');
	const task =
		mapping.task !== 'auto'
			? mapping.task
			: !float || width > 1 || target.kind === 'categorical'
				? 'classification'
				: 'regression';

	if (task === 'regression') {
		if (width !== 1 || out.dtype === 'string')
			throw new OnnxEvalError(
				'OutputShape',
				`Output "${out.name}" (${out.dtype}, ${width} values a row) is not one number per row, which regression scores.`
			);
		if (target.kind !== 'numeric')
			throw new OnnxEvalError(
				'ColumnType',
				`The target "${target.name}" holds text; regression scores a numeric target (pick classification?).`
			);
		const yTrue = Float64Array.from(rows, (r) => target.values[r]);
		const yPred = Float64Array.from({ length: n }, (_, i) => Number(out.data[i]));
		return { report: regressionReport(yTrue, yPred), reading: `"${out.name}" as the predicted value` };
	}

	const truth = targetNames(target, rows);
	if (float && width > 1) {
		const labels = outputs.find(
			(o) => o !== out && !FLOATS.has(o.dtype) && o.dims[0] === n && perRow(o.dims) === 1
		);
		const classes = probabilityClasses(out, labels, n, width);
		const probs = Float32Array.from({ length: n * width }, (_, i) => Number(out.data[i]));
		return {
			report: classificationReport(classIndex(truth, classes), probs, classes),
			reading: `"${out.name}" as probabilities over ${width} classes${labels ? `, named by "${labels.name}"` : ' (named by index)'}`
		};
	}
	if (width !== 1)
		throw new OnnxEvalError(
			'OutputShape',
			`Output "${out.name}" gives ${width} ${out.dtype} values a row; a classifier's output is a label or probabilities.`
		);
	if (float) {
		// One probability a row: a sigmoid over two classes, the second being the positive one.
		const classes = sortClasses(truth);
		if (classes.length !== 2)
			throw new OnnxEvalError(
				'UnknownClass',
				`Output "${out.name}" gives one number a row, read as the probability of the second of two classes, but the target has ${classes.length} (${quote(classes.slice(0, 5))}).`
			);
		const probs = Float32Array.from({ length: n }, (_, i) => Number(out.data[i]));
		return {
			report: classificationReport(classIndex(truth, classes), probs, classes),
			reading: `"${out.name}" as the probability of "${classes[1]}"`
		};
	}
	const predicted = Array.from({ length: n }, (_, i) => className(out.data[i]));
	const classes = sortClasses([...truth, ...predicted]);
	if (classes.length < 2)
		throw new OnnxEvalError(
			'UnknownClass',
			`Every true and predicted label is "${classes[0]}": a report needs at least two classes.`
		);
	const index = new Map(classes.map((c, i) => [c, i]));
	const probs = new Float32Array(n * classes.length);
	for (let i = 0; i < n; i++) probs[i * classes.length + index.get(predicted[i])!] = 1;
	return {
		report: classificationReport(classIndex(truth, classes), probs, classes),
		reading: `"${out.name}" as predicted labels (no probabilities: the curves are one point)`
	};
}
