import type { ChartSpec, EvaluateCell, OnnxCell, PredictCell, TrainCell } from './schema';

/**
 * Markdown for the cells Jupyter cannot run (charts, training, evaluation): what the cell was set to do and
 * what it produced, readable on its own. The machine-readable original rides in the cell's metadata.
 */

const code = (text: string) => `\`${text.replaceAll('`', "'")}\``;
const escapeCell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** 0.912345 → 0.9123; integers as they are. */
export function formatNumber(n: number): string {
	return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(4)));
}

function table(header: string[], rows: string[][]): string {
	const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
	return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const valueText = (v: unknown) =>
	typeof v === 'number' ? formatNumber(v) : typeof v === 'string' ? v : JSON.stringify(v);

export function describeChart(spec: ChartSpec, image: string | null): string {
	const parts = [`**Chart** (${spec.mark})`];
	if (spec.source) parts.push(`from ${code(spec.source)}`);
	const channels = (['x', 'y', 'color', 'facet'] as const)
		.filter((k) => spec[k])
		.map((k) => `${k} = ${code(spec[k])}`);
	if (channels.length) parts.push(`— ${channels.join(', ')}`);
	const picture = image
		? `\n\n![${spec.mark} chart of ${spec.source}](attachment:${image})`
		: '\n\n_Not drawn in Edgebook before the export, so no image is included._';
	return `${parts.join(' ')}${picture}\n\n_Drawn by Edgebook; the chart specification is in this cell's metadata._`;
}

export function describeTrain(cell: TrainCell): string {
	const c = cell.config;
	const { sweep, ...settings } = c;
	const rows = Object.entries(settings).map(([k, v]) => [
		k,
		k === 'features' && c.features.length === 0 ? 'every column but the target' : valueText(v)
	]);
	if (sweep.mode !== 'off') rows.push(['sweep', `${sweep.mode}, ${sweep.trials} trials over ${sweep.space}`]);
	const title = `**Train** a ${c.model} on ${code(c.source || '?')} to predict ${code(c.target || '?')}`;
	const parts = [title, '#### Configuration', table(['setting', 'value'], rows)];
	const out = cell.output;
	if (out?.kind === 'run') {
		parts.push(
			'#### Result',
			`Run ${code(out.runId)}: ${out.status}, trained on the ${out.backend} backend.`,
			table(
				['metric', 'value'],
				Object.entries(out.summary).map(([k, v]) => [k, formatNumber(v)])
			)
		);
		if (out.trials.length)
			parts.push(`${out.trials.length} sweep trials; the best is ${code(out.bestRunId ?? '?')}.`);
		if (out.backendNote) parts.push(out.backendNote);
		if (out.warnings.length)
			parts.push(out.warnings.map((w) => `- ${typeof w === 'string' ? w : w.text}`).join('\n'));
	} else if (out?.kind === 'error') parts.push('#### Result', `Failed: ${out.message}`);
	else parts.push('_Not run in Edgebook before the export._');
	return `${parts.join('\n\n')}\n\n_Trained in Edgebook with TF.js; the configuration is in this cell's metadata._`;
}

function reportText(report: Record<string, unknown>): string[] {
	if (report.task === 'regression') {
		return [
			table(
				['metric', 'value'],
				['mae', 'rmse', 'r2'].map((k) => [k, valueText(report[k])])
			)
		];
	}
	const macro = (report.macro ?? {}) as Record<string, number>;
	const perClass = (report.perClass ?? []) as {
		label: string;
		precision: number;
		recall: number;
		f1: number;
		support: number;
	}[];
	const classes = (report.classes ?? []) as string[];
	const confusion = (report.confusion ?? []) as number[][];
	return [
		table(
			['metric', 'value'],
			[
				['accuracy', valueText(report.accuracy)],
				...Object.entries(macro).map(([k, v]) => [`macro ${k}`, formatNumber(v)])
			]
		),
		table(
			['class', 'precision', 'recall', 'f1', 'support'],
			perClass.map((p) => [p.label, ...[p.precision, p.recall, p.f1, p.support].map(formatNumber)])
		),
		'Confusion matrix (rows: actual, columns: predicted)',
		table(
			['', ...classes],
			confusion.map((row, i) => [classes[i] ?? String(i), ...row.map(formatNumber)])
		)
	];
}

export function describeEvaluate(cell: EvaluateCell): string {
	const on = cell.data ? code(cell.data) : "the run's test split";
	const parts = [`**Evaluate** the trained model on ${on}.`];
	const out = cell.output;
	if (out?.kind === 'evaluation')
		parts.push('#### Result', `Run ${code(out.runId)}.`, ...reportText(out.report));
	else if (out?.kind === 'error') parts.push('#### Result', `Failed: ${out.message}`);
	else parts.push('_Not run in Edgebook before the export._');
	return parts.join('\n\n');
}

/** An ONNX cell: the imported file, how the table's columns fed it, and its report. */
export function describeOnnx(cell: OnnxCell): string {
	const feeds = Object.entries(cell.mapping)
		.map(([input, cols]) => `${code(input)} ← ${cols.map(code).join(', ')}`)
		.join('; ');
	const parts = [
		`**ONNX model** ${cell.fileName ? code(cell.fileName) : '(no file chosen)'} scored on ${cell.data ? code(cell.data) : '(no table chosen)'} against ${cell.target ? code(cell.target) : '(no target)'}${feeds ? `, inputs ${feeds}` : ''}.`
	];
	const out = cell.output;
	if (out?.kind === 'evaluation')
		parts.push('#### Result', `Run ${code(out.runId)}. ${out.note}`, ...reportText(out.report));
	else if (out?.kind === 'error') parts.push('#### Result', `Failed: ${out.message}`);
	else parts.push('_Not run in Edgebook before the export._');
	return parts.join('\n\n');
}

/** A predict cell: which table it scored into which named table (the table itself is not in the export). */
export function describePredict(cell: PredictCell): string {
	const into = cell.name ? ` into the table ${code(cell.name)}` : '';
	const parts = [
		`**Predict** ${cell.data ? code(cell.data) : '(no table chosen)'} with the trained model${into}: its columns, \`predicted\` and the class probabilities.`
	];
	const out = cell.output;
	if (out?.kind === 'table')
		parts.push(
			'#### Result',
			`${out.rowCount} rows; columns ${out.columns.map((c) => code(c.name)).join(', ')}.`
		);
	else if (out?.kind === 'error') parts.push('#### Result', `Failed: ${out.message}`);
	else parts.push('_Not run in Edgebook before the export._');
	return parts.join('\n\n');
}
