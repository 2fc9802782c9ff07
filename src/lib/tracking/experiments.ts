import Dexie from 'dexie';
import { db, type EdgebookDB } from './db';
import { TrackingError } from './errors';
import { experimentIdForName } from '$lib/contract';
import { record } from './outbox';
import { experimentCreate } from './run-mutations';
import { experimentSchema, type Experiment } from './run-schema';

/** Experiments group runs by name (unique), as in MLflow. */

function cleanName(name: string): string {
	const trimmed = name.trim();
	if (!trimmed) throw new TrackingError('InvalidValue', 'An experiment needs a name.');
	if (trimmed.length > 500)
		throw new TrackingError('InvalidValue', 'An experiment name is at most 500 characters long.');
	return trimmed;
}

/** The id derives from the name (contract/ids.ts): two offline browsers naming one experiment meet after sync. */
export async function createExperiment(name: string): Promise<Experiment> {
	const clean = cleanName(name);
	const exp: Experiment = { id: experimentIdForName(clean), name: clean, createdAt: Date.now() };
	const d = db();
	try {
		await d.transaction('rw', d.experiments, d.outbox, async () => {
			await d.experiments.add(exp);
			await record(d, [experimentCreate(exp)], exp.createdAt);
		});
	} catch (e) {
		if (e instanceof Dexie.ConstraintError)
			throw new TrackingError('ExperimentExists', `An experiment named "${exp.name}" already exists.`, {
				name: exp.name
			});
		throw e;
	}
	return exp;
}

/** Inside the caller's transaction (which must include `experiments` and `outbox`): find by name or add. */
export async function ensureExperiment(d: EdgebookDB, name: string, now = Date.now()): Promise<Experiment> {
	const clean = cleanName(name);
	const found = await d.experiments.where('name').equals(clean).first();
	if (found) return experimentSchema.parse(found);
	const exp: Experiment = { id: experimentIdForName(clean), name: clean, createdAt: now };
	await d.experiments.add(exp);
	await record(d, [experimentCreate(exp)], now);
	return exp;
}

/** Safe when two tabs ask at once: the lookup and the add share one transaction, and the name is unique. */
export async function getOrCreateExperiment(name: string): Promise<Experiment> {
	const d = db();
	return d.transaction('rw', d.experiments, d.outbox, () => ensureExperiment(d, name));
}

export async function getExperiment(id: string): Promise<Experiment | null> {
	const raw = await db().experiments.get(id);
	if (!raw) return null;
	const parsed = experimentSchema.safeParse(raw);
	if (!parsed.success)
		throw new TrackingError('ExperimentDamaged', `Experiment ${id} is damaged in storage.`);
	return parsed.data;
}

export async function listExperiments(): Promise<Experiment[]> {
	const all = await db().experiments.orderBy('createdAt').toArray();
	return all.flatMap((e) => {
		const parsed = experimentSchema.safeParse(e);
		return parsed.success ? [parsed.data] : [];
	});
}
