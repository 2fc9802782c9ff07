/**
 * From a train cell's config to the three encoded sets the trainer uses: split by the cell's strategy, fit the
 * preprocessing on the training rows only, encode each split. The validation set returned here is the one the
 * train worker early-stops on (fit.ts), so a time split validates on the rows after the training ones and a
 * group split on whole unseen groups, never on random rows. Pure (no DOM, no TF.js), so that is tested directly.
 */
import { encode, fitPreprocessing } from '../../ml/preprocess';
import { planSplit, strategyFractions, type SplitStrategy, type TimeFormat } from '../../ml/split-strategies';
import type { Declared } from '../../ml/transforms';
import type { DataCheckCode, Encoded, Frame, Preprocessing, Task } from '../../ml/types';

/** The train cell's split settings (its TrainConfig's fields of these names): plain data, for any caller. */
export interface SplitConfig {
	split: SplitStrategy;
	splitColumn: string;
	testTable: string;
	seed: number;
	/** Shares of the rows for validation and test (the rest trains). */
	validation: number;
	test: number;
	target: string;
	/** The cell's declared transforms and top-K categories, fitted into (and saved with) the preprocessing. */
	declared?: Declared;
}

export type SplitSets =
	| {
			ok: true;
			prep: Preprocessing;
			sets: { train: Encoded; validation: Encoded; test: Encoded };
			/** The source table's rows in the training split (its reference profile is built from them). */
			trainRows: Uint32Array;
			/** Which split, with its row counts, for the run and the cell. */
			note: string;
	  }
	| { ok: false; code: DataCheckCode; message: string };

export function splitSets(o: {
	config: SplitConfig;
	frame: Frame;
	/** A 'table' split's test table, already checked by validate.ts. */
	test: Frame | undefined;
	features: string[];
	task: Task;
	stratify: Int32Array | undefined;
	/** How the time column reads in the note (its SQL type): a date, a timestamp or a plain number. */
	timeFormat?: TimeFormat;
}): SplitSets {
	const c = o.config;
	const plan = planSplit(o.frame, {
		strategy: c.split,
		column: c.splitColumn,
		testTable: c.testTable,
		testRows: o.test?.rowCount,
		seed: c.seed,
		fractions: strategyFractions(c),
		stratify: o.stratify,
		timeFormat: o.timeFormat
	});
	if (!plan.ok) return plan;
	const { splits } = plan;
	const prep = fitPreprocessing(o.frame, {
		target: c.target,
		features: o.features,
		task: o.task,
		trainRows: splits.train,
		transforms: c.declared?.transforms,
		topK: c.declared?.topK
	});
	return {
		ok: true,
		prep,
		note: plan.note,
		trainRows: splits.train,
		sets: {
			train: encode(prep, o.frame, splits.train),
			validation: encode(prep, o.frame, splits.validation),
			test: o.test ? encode(prep, o.test) : encode(prep, o.frame, splits.test)
		}
	};
}
