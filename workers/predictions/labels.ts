import type { Feedback, FeedbackResult } from '../../src/lib/contract';
import type { JoinedOutcome } from './performance';

/**
 * Labels for logged predictions, in the model's log object's SQLite (docs/architecture.md, "Monitoring"): each joins
 * its prediction by id, and the first label stands. Plain functions over the storage; the object adds its
 * transaction.
 */

type Sql = SqlStorage;

/**
 * Stores the labels that join a logged prediction: a label again with the same value changes nothing; another
 * value for a labelled prediction is refused (the first label stands); an unknown id, one older than `retentionMs`,
 * a shadow's id or a label of the wrong kind is refused naming why. Call it inside a transaction.
 */
export function recordLabels(
	sql: Sql,
	items: Feedback['labels'],
	now: number,
	retentionMs: number
): FeedbackResult {
	const result: FeedbackResult = { accepted: 0, unchanged: 0, refused: [] };
	const refuse = (id: string, reason: string) => result.refused.push({ id, reason });
	for (const { id, label } of items) {
		const o = sql
			.exec<{ kind: string; probs: string | null; route: string; at: number }>(
				'SELECT kind, probs, route, at FROM outcomes WHERE id = ?',
				id
			)
			.toArray()[0];
		if (!o || o.at < now - retentionMs) {
			refuse(
				id,
				'No logged prediction of this model has this id (unknown, not sampled into the log, or older than 30 days).'
			);
			continue;
		}
		if (o.route === 'shadow') {
			refuse(id, "A shadow's prediction takes its label from the answered row it shadows: label that id.");
			continue;
		}
		if (o.kind === 'none') {
			refuse(id, "This model's outputs have no label or value to compare a label with.");
			continue;
		}
		let text: string | null = null;
		let value: number | null = null;
		if (o.kind === 'class') {
			if (typeof label !== 'string' && !Number.isInteger(label)) {
				refuse(id, `A classifier's label is a class name; got ${JSON.stringify(label)}.`);
				continue;
			}
			text = String(label);
			const classes = o.probs ? Object.keys(JSON.parse(o.probs) as object) : null;
			if (classes && !classes.includes(text)) {
				refuse(
					id,
					`"${text}" is not one of the model's classes: ${classes.map((c) => `"${c}"`).join(', ')}.`
				);
				continue;
			}
		} else {
			if (typeof label !== 'number' || !Number.isFinite(label)) {
				refuse(id, `A regressor's label is a finite number; got ${JSON.stringify(label)}.`);
				continue;
			}
			value = label;
		}
		const had = sql
			.exec<{ label_text: string | null; label_value: number | null }>(
				'SELECT label_text, label_value FROM labels WHERE id = ?',
				id
			)
			.toArray()[0];
		if (had) {
			if (had.label_text === text && had.label_value === value) result.unchanged++;
			else
				refuse(
					id,
					`Already labelled ${JSON.stringify(had.label_text ?? had.label_value)}; the first label stands.`
				);
			continue;
		}
		sql.exec(
			'INSERT INTO labels (id, label_text, label_value, received_at) VALUES (?, ?, ?, ?)',
			id,
			text,
			value,
			now
		);
		result.accepted++;
	}

	return result;
}

/** The labels of answered (not shadow) predictions over [from, to], newest first: a retraining gate's hold-out. */
export function labelledRows(
	sql: Sql,
	from: number,
	to: number,
	limit: number
): { id: string; label: string | number }[] {
	return sql
		.exec<{ id: string; label_text: string | null; label_value: number | null }>(
			`SELECT o.id AS id, l.label_text AS label_text, l.label_value AS label_value FROM outcomes o
				 JOIN labels l ON l.id = o.id WHERE o.at >= ? AND o.at <= ? AND o.route != 'shadow'
				 ORDER BY o.at DESC LIMIT ?`,
			from,
			to,
			limit
		)
		.toArray()
		.map((r) => ({ id: r.id, label: r.label_text ?? (r.label_value as number) }));
}

/** Every logged outcome over [from, to] with its label (a shadow's through the row it shadows), oldest first. */
export function joinedOutcomes(sql: Sql, from: number, to: number): JoinedOutcome[] {
	return sql
		.exec<JoinedOutcome>(
			`SELECT o.at AS at, o.version AS version, o.kind AS kind, o.predicted AS predicted, o.probs AS probs,
				   o.value AS value, l.label_text AS labelText, l.label_value AS labelValue
				 FROM outcomes o LEFT JOIN labels l ON l.id = COALESCE(o.shadow_of, o.id)
				 WHERE o.at >= ? AND o.at <= ? ORDER BY o.at`,
			from,
			to
		)
		.toArray();
}
