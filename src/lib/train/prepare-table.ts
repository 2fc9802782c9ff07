import type { TrainCell, TrainConfig } from '$lib/notebook/schema';
import type { Outcome } from '$lib/notebook/execute';
import * as tracking from '$lib/tracking/runs';
import { trainApi } from './client';
import { strategyFractions, type TimeFormat } from '../ml/split-strategies';
import { columnKind } from '$lib/data/profile-sql';
import { pipeFrame } from './frame-pipe';
import type { FrameRef } from './engine/prepared';
import { dataChanges, dataFingerprint } from './lineage';
import { selectFeatures } from './feature-select';
import { parseTransformText, type Declared } from '../ml/transforms';
import { summariseWarnings, type WarningLine } from '../ml/warnings';
import type { Task } from '../ml/types';
import type { TrainerDeps } from './trainer';
import { fail, pascal } from './cell-error';

/**
 * Prepared once per train-cell run and shared by its trials (a sweep reads the table once). The rows themselves
 * stay in the train worker: this holds their handles.
 */
export interface Prepared {
	frame: FrameRef;
	features: string[];
	task: Task;
	/** A 'table' split's test set, read once like the source. */
	test: FrameRef | undefined;
	/** A time split's column as the note shows it, from its SQL type (a Frame holds dates as epoch ms). */
	timeFormat: TimeFormat;
	fingerprint: tracking.Lineage['dataFingerprint'];
	experimentId: string;
	environment: Omit<tracking.Lineage['environment'], 'backend' | 'backendReason'>;
	warnings: WarningLine[];
	/** How the features were chosen, in words, for the run's params. */
	selection: string;
	/** The cell's transforms and top-K categories, fitted into the preprocessing (and so applied at the edge). */
	declared: Declared;
}

/**
 * Before any trial: pipe the table (and a table split's test table) to the train worker, choose the features,
 * check the data there, and gather what every trial's run records (fingerprint, warnings, environment).
 */
export async function prepareTable(
	deps: TrainerDeps,
	cell: TrainCell,
	c: TrainConfig,
	staged: string[]
): Promise<Prepared | Outcome> {
	if (!c.source) return fail('ConfigError', 'Pick the table to train on.');
	if (!c.target) return fail('ConfigError', 'Pick the target column.');
	const parsed = parseTransformText(c.transforms);
	if (!parsed.ok) return fail('TransformError', `Transforms, line ${parsed.line}: ${parsed.message}.`);
	const declared: Declared = { transforms: parsed.transforms, topK: parsed.topK };
	const byTable = c.split === 'table' && c.testTable !== '';
	if (byTable && c.testTable === c.source)
		return fail('ConfigError', `The test table must be another table than the training table "${c.source}".`);
	const attach = await deps.datasets.ensureAttached(byTable ? [c.source, c.testTable] : [c.source]);
	if (attach) return fail(attach.name, attach.message);
	const res = await pipeFrame(deps.data(), trainApi(), { table: c.source, columns: null });
	if (!res.ok) return fail(res.error.name, res.error.message);
	let frame = res.ref;
	staged.push(frame.handle);
	let test: FrameRef | undefined;
	if (byTable) {
		const t = await pipeFrame(deps.data(), trainApi(), { table: c.testTable, columns: null });
		if (!t.ok) return fail(t.error.name, t.error.message);
		test = t.ref;
		staged.push(test.handle);
	}
	if (declared.transforms.length) {
		for (const ref of test ? [frame, test] : [frame]) {
			const done = await trainApi().transform(ref.handle, declared.transforms);
			if (!done.ok) return fail(done.error.name, done.error.message);
			if (ref === frame) frame = done.ref;
			else test = done.ref;
		}
	}
	const selection = selectFeatures(
		c,
		frame.columns.map((col) => col.name)
	);
	if (!selection.ok) return fail('FeatureSelectionError', selection.message);
	const features = withTransforms(selection.features, declared, c.target);
	const notCategorical = Object.keys(declared.topK).find(
		(name) =>
			!features.includes(name) || frame.columns.find((col) => col.name === name)?.kind !== 'categorical'
	);
	if (notCategorical)
		return fail(
			'TransformError',
			`top(${notCategorical}, …) needs "${notCategorical}" to be a text feature of the model.`
		);
	const checked = await trainApi().check(frame.handle, {
		target: c.target,
		features,
		task: c.task === 'auto' ? undefined : c.task,
		fractions: strategyFractions(c),
		split:
			c.split === 'random'
				? undefined
				: {
						strategy: c.split,
						column: c.splitColumn,
						seed: c.seed,
						testTable: c.testTable,
						test: test?.handle
					}
	});
	if (!checked.ok) return fail(checked.error.name, checked.error.message);
	const { check } = checked;
	if (!check.ok) return fail(pascal(check.code), check.message);
	const nb = deps.notebook();
	const fingerprint = dataFingerprint(nb, deps.datasets.list, c.source, frame);
	const warnings: WarningLine[] = summariseWarnings(check.warnings);
	const previous = (await tracking.listRuns({})).find((r) => r.cellId === cell.id && r.parentId === null);
	if (previous) {
		const changes = dataChanges(previous.lineage.dataFingerprint, fingerprint);
		if (changes.length)
			warnings.push(`The data changed since run ${previous.id.slice(0, 10)}: ${changes.join('; ')}.`);
	}
	const probe = await trainApi().probe();
	const experiment = await tracking.getOrCreateExperiment(c.experiment);
	return {
		frame,
		features,
		task: check.task,
		test,
		timeFormat: c.split === 'time' ? await timeFormatOf(deps, c.source, c.splitColumn) : 'number',
		fingerprint,
		experimentId: experiment.id,
		environment: {
			adapter: probe.adapter
				? `${probe.adapter.vendor} ${probe.adapter.architecture} ${probe.adapter.description}`.trim() +
					(probe.adapter.isFallbackAdapter ? ' (software)' : '')
				: null,
			userAgent: navigator.userAgent,
			libraries: { ...probe.versions, edgebook: '0.1.0' }
		},
		warnings,
		selection: selection.describe,
		declared
	};
}

/**
 * The model's features once transforms are declared: each transform's new column takes the place of its source
 * (a raw timestamp or an unclipped delay is not a feature), in the order the selection gave them.
 */
function withTransforms(selected: string[], d: Declared, target: string): string[] {
	if (!d.transforms.length) return selected;
	const sources = new Set(d.transforms.map((t) => t.column));
	const outputs = d.transforms.map((t) => t.as).filter((name) => name !== target);
	const kept = selected.filter((f) => !sources.has(f) && !outputs.includes(f));
	return [...kept, ...outputs];
}

async function timeFormatOf(deps: TrainerDeps, table: string, column: string): Promise<TimeFormat> {
	const info = (await deps.data().tables()).find((t) => t.name === table);
	const type = info?.columns.find((col) => col.name === column)?.type.toUpperCase() ?? '';
	if (columnKind(type) !== 'temporal') return 'number';
	return type === 'DATE' ? 'date' : 'timestamp';
}
