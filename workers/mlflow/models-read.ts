import type { RegisteredModelWire } from '../../src/lib/contract';
import { aliasesOf, getModel, getModelVersion, type ModelVersionRecord } from '../registry/read-models';
import { modelOut, versionOut } from './convert';
import { invalid, notFound } from './errors';
import { workspace, type Ctx } from './request';

/** Model registry lookups shared by the registered-model and model-version routes. */

export async function loadModel(c: Ctx, name: string): Promise<RegisteredModelWire> {
	const m = await getModel(c.env.DB, workspace(c), name);
	if (!m) throw notFound(`Registered Model with name=${name} not found`);
	return m;
}

/** MLflow's versions are strings on the wire and positive integers underneath. */
export function versionNumber(v: string | number): number {
	const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : NaN;
	if (!Number.isSafeInteger(n) || n < 1)
		throw invalid(`Model version must be a positive integer, not "${v}".`);
	return n;
}

export async function loadVersion(c: Ctx, name: string, version: number): Promise<ModelVersionRecord> {
	await loadModel(c, name);
	const v = await getModelVersion(c.env.DB, workspace(c), name, version);
	if (!v) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
	return v;
}

/** `source` lives in a column migration 0003 added, which the shared read helpers do not select. */
async function sourceOf(c: Ctx, name: string, version: number): Promise<string | null> {
	const row = await c.env.DB.prepare(
		'SELECT source FROM model_versions WHERE workspace_id = ? AND model_name = ? AND version = ?'
	)
		.bind(workspace(c), name, version)
		.first<{ source: string | null }>();
	return row?.source ?? null;
}

export async function versionJson(c: Ctx, v: ModelVersionRecord) {
	const [source, aliases] = await Promise.all([
		sourceOf(c, v.modelName, v.version),
		aliasesOf(c.env.DB, workspace(c), v.modelName, v.version)
	]);
	return versionOut(v, { source, aliases });
}

/** Stages are not used here, so a model's latest_versions is its newest version alone (stage "None"). */
export async function modelJson(c: Ctx, m: RegisteredModelWire) {
	const latest = m.latestVersion
		? await getModelVersion(c.env.DB, workspace(c), m.name, m.latestVersion)
		: null;
	return modelOut(m, latest ? [await versionJson(c, latest)] : []);
}
