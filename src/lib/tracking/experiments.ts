import Dexie from 'dexie';
import { db, type EdgebookDB } from './db';
import { TrackingError } from './errors';
import { newId } from './ids';
import { experimentSchema, type Experiment } from './run-schema';

/** Experiments group runs by name (unique), as in MLflow. */

function cleanName(name: string): string {
	const trimmed = name.trim();
	if (!trimmed) throw new TrackingError('InvalidValue', 'An experiment needs a name.');
	if (trimmed.length > 500)
		throw new TrackingError('InvalidValue', 'An experiment name is at most 500 characters long.');
	return trimmed;
}

export async function createExperiment(name: string): Promise<Experiment> {
	const exp: Experiment = { id: newId('exp'), name: cleanName(name), createdAt: Date.now() };
	try {
		await db().experiments.add(exp);
	} catch (e) {
		if (e instanceof Dexie.ConstraintError)
			throw new TrackingError('ExperimentExists', `An experiment named "${exp.name}" already exists.`, {
				name: exp.name
			});
		throw e;
	}
	return exp;
}

/** Inside the caller's transaction (which must include `experiments`): find by name or add. */
export async function ensureExperiment(d: EdgebookDB, name: string, now = Date.now()): Promise<Experiment> {
	const clean = cleanName(name);
	const found = await d.experiments.where('name').equals(clean).first();
	if (found) return experimentSchema.parse(found);
	const exp: Experiment = { id: newId('exp'), name: clean, createdAt: now };
	await d.experiments.add(exp);
	return exp;
}

/** Safe when two tabs ask at once: the lookup and the add share one transaction, and the name is unique. */
export async function getOrCreateExperiment(name: string): Promise<Experiment> {
	const d = db();
	return d.transaction('rw', d.experiments, () => ensureExperiment(d, name));
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
