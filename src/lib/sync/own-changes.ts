import type { Mutation } from '$lib/contract';

/**
 * Last-writer-wins fields follow the registry's apply order (docs/sync.md). The pull normally skips this
 * client's own changes (`exclude`), but then a remote change the registry applied BEFORE one of ours would be
 * applied here AFTER it, and this browser would keep the loser (two browsers setting the same alias ended on
 * different versions). So after a push that applied such a field, the next pull reads the feed with our own
 * changes in it and replays their last-writer-wins part at their place in the order.
 *
 * The part of our own change to replay, or null when it holds no last-writer-wins field (creates, metric
 * points, artifacts, deletes and statuses are applied once and merge by their own rules).
 */
export function ownReplay(m: Mutation): Mutation | null {
	switch (m.type) {
		case 'run.log':
			return m.tags.length ? { ...m, metrics: [], params: [] } : null;
		case 'run.update':
			if (m.name === undefined && m.note === undefined) return null;
			return { type: 'run.update', runId: m.runId, name: m.name, note: m.note };
		case 'experiment.rename':
		case 'experiment.tag.set':
		case 'experiment.tag.delete':
		case 'run.tag.delete':
		case 'model.update':
		case 'model.tag.set':
		case 'model.tag.delete':
		case 'model.version.update':
		case 'model.version.tag.set':
		case 'model.version.tag.delete':
		case 'model.alias.set':
		case 'model.alias.delete':
			return m;
		default:
			return null;
	}
}
