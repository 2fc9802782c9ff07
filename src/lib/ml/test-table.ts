/**
 * Can a named table be the test set of a `table` split? It is encoded with the preprocessing fit on the source's
 * training rows, so it needs every feature and the target, each of the same kind (number or text), a value in
 * every target row (a test row without a label cannot be scored, and dropping it silently would make the run's
 * test count false) and, for classification, only classes the source has (a class training never saw has no
 * output to score).
 */
import { labelTarget } from './preprocess';
import type { Frame } from './types';

const quoted = (names: string[], max = 5) =>
	names
		.slice(0, max)
		.map((n) => `"${n}"`)
		.join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');

/** Why `test` cannot be the test set, naming what is wrong; null when it can. */
export function testTableProblem(o: {
	source: Frame;
	test: Frame | undefined;
	/** The test table's name, for the message. */
	name: string;
	/** Features and target. */
	columns: string[];
	target: string;
	classification: boolean;
}): string | null {
	if (!o.name) return 'Pick the test table for a table split.';
	if (!o.test) return `Test table "${o.name}" could not be read.`;
	const have = new Map(o.test.columns.map((c) => [c.name, c]));
	const missing = o.columns.filter((c) => !have.has(c));
	if (missing.length)
		return `Test table "${o.name}" lacks ${quoted(missing)}, which training uses (features and target must match).`;
	if (o.test.rowCount === 0) return `Test table "${o.name}" has no rows to test on.`;
	for (const name of o.columns) {
		const want = o.source.columns.find((c) => c.name === name)!;
		const got = have.get(name)!;
		if (want.kind !== got.kind)
			return (
				`Column "${name}" is ${want.kind === 'numeric' ? 'a number' : 'text'} in the training table but ` +
				`${got.kind === 'numeric' ? 'a number' : 'text'} in test table "${o.name}".`
			);
	}
	const target = have.get(o.target)!;
	let unlabelled = 0;
	for (const v of target.values) if (v === null || (typeof v === 'number' && Number.isNaN(v))) unlabelled++;
	if (unlabelled > 0)
		return (
			`Target "${o.target}" is missing in ${unlabelled} row${unlabelled === 1 ? '' : 's'} of test table ` +
			`"${o.name}"; filter them out in SQL, e.g. WHERE "${o.target}" IS NOT NULL.`
		);
	if (o.classification) {
		const known = new Set(labelTarget(o.source.columns.find((c) => c.name === o.target)!).classes);
		const unseen = labelTarget(target).classes.filter((c) => !known.has(c));
		if (unseen.length)
			return `Test table "${o.name}" has ${quoted(unseen)} in "${o.target}", which the training table never has.`;
	}
	return null;
}
