import { db } from '$lib/tracking/db';
import { RegistryClient, RegistryError } from './client';
import { SyncEngine, type SyncResult } from './engine';
import { listMissing } from './missing-artifacts';
import { predictionLogFile, readPredictionLog } from './prediction-log';
import { batchResultFile, batchTableName, readBatchJob, startBatchJob } from './batch';
import type { BatchJob } from '$lib/contract';
import type {
	AlertEvent,
	AlertRule,
	AlertRuleInput,
	DriftReport,
	PerformanceWindow,
	Traffic
} from '$lib/contract';
import { readOnnxSignature } from '$lib/ml/onnx-signature';
import { sha256Hex } from '$lib/tracking/artifacts';
import { clearConfig, readConfig, writeConfig } from './state';
import { SyncStatus } from './status.svelte';
import { retrainApi, type RetrainApi } from './retrain';

/**
 * The public API of sync and the model registry, for the UI. Browser-only state lives here: one status, one
 * engine over the app's database.
 */

export { registerModelVersion, setAlias, deleteAlias, listModels, getModel, versionLineage } from './models';
export type { ModelDetail } from './models';
export { modelViews } from './model-views';
export type { SyncResult } from './engine';
export type { SyncState, SyncStatusSnapshot } from './status.svelte';
export type { LocalModel, LocalModelVersion, MissingArtifact, OutboxEntry } from '$lib/tracking/sync-schema';

export const syncStatus = new SyncStatus();
let engine: SyncEngine | null = null;
const theEngine = () => (engine ??= new SyncEngine({ db: db(), status: syncStatus }));

export type SignInResult =
	{ ok: true; workspaceId: string; scopes: string[] } | { ok: false; reason: string };

/** Check the token against the registry (GET /api/v1/me), remember it, and sync. */
export async function signIn(o: { url: string; token: string }): Promise<SignInResult> {
	const url = o.url.trim().replace(/\/+$/, '');
	const token = o.token.trim();
	try {
		const me = await new RegistryClient({ url, token }).me();
		await writeConfig(db(), { url, token, workspaceId: me.workspaceId, scopes: me.scopes });
		void theEngine().syncNow();
		return { ok: true, workspaceId: me.workspaceId, scopes: me.scopes };
	} catch (e) {
		return { ok: false, reason: e instanceof RegistryError ? e.message : String((e as Error)?.message ?? e) };
	}
}

/** Forget the token. Pending changes stay in the outbox and sync after the next sign-in. */
export async function signOut(): Promise<void> {
	await clearConfig(db());
	await theEngine().syncNow();
}

/** Idempotent; the app layout calls it once. */
export function startSync(): void {
	theEngine().start();
}

export function syncNow(): Promise<SyncResult> {
	return theEngine().syncNow();
}

/** Artifacts pulled without their bytes (why, and when the next try is), for the UI to show. */
export function missingArtifacts() {
	return listMissing(db());
}

/**
 * An alias's traffic split and a model's prediction log live at the edge, not in this browser: reading or setting
 * them needs the registry online (the page says so when it is not).
 */
async function onlineClient(what = 'split an alias’s traffic'): Promise<RegistryClient> {
	const config = await readConfig(db());
	if (!config)
		throw new Error(`Sign in to a registry to ${what}: it lives at the edge, not in this browser.`);
	return new RegistryClient({ url: config.url, token: config.token });
}

export async function aliasTraffic(modelName: string, alias: string): Promise<Traffic | null> {
	return (await onlineClient()).traffic(modelName, alias);
}

export async function setAliasTraffic(
	modelName: string,
	alias: string,
	split: Traffic | null
): Promise<void> {
	await (await onlineClient()).setTraffic(modelName, alias, split);
}

/** A model's prediction log from the registry as an NDJSON file for the dataset loader; null when it is empty. */
export async function predictionLog(modelName: string): Promise<File | null> {
	const client = await onlineClient('read a model’s prediction log');
	const records = await readPredictionLog((path) => client.getJson(path), modelName);
	return records.length ? predictionLogFile(modelName, records) : null;
}

/** A model's drift and live performance over [from, to] per hour or day, as the monitoring page draws them. */
export async function monitoring(
	modelName: string,
	q: { from: number; to: number; window: 'hour' | 'day'; version?: number | null; feature?: string | null }
): Promise<{ drift: DriftReport; performance: PerformanceWindow[] }> {
	const client = await onlineClient('watch a deployed model');
	const m = encodeURIComponent(modelName);
	const range = `from=${q.from}&to=${q.to}&window=${q.window}`;
	const [drift, performance] = await Promise.all([
		client.getJson(
			`/api/v1/models/${m}/drift?${range}${q.version ? `&version=${q.version}` : ''}${q.feature ? `&feature=${encodeURIComponent(q.feature)}` : ''}`
		),
		client.getJson(`/api/v1/models/${m}/performance?${range}`)
	]);
	const windows = (performance as { windows: PerformanceWindow[] }).windows;
	return {
		drift: drift as DriftReport,
		performance: q.version ? windows.filter((w) => w.version === q.version) : windows
	};
}

/** A model's alert rules and history, and the changes the monitoring page makes to them. */
export async function alerts(modelName: string): Promise<{ rules: AlertRule[]; events: AlertEvent[] }> {
	const client = await onlineClient('watch a deployed model');
	const m = encodeURIComponent(modelName);
	const [rules, events] = await Promise.all([
		client.getJson(`/api/v1/models/${m}/alerts`),
		client.getJson(`/api/v1/models/${m}/alerts/events?limit=50`)
	]);
	return {
		rules: (rules as { rules: AlertRule[] }).rules,
		events: (events as { events: AlertEvent[] }).events
	};
}

export async function createAlertRule(modelName: string, rule: AlertRuleInput): Promise<AlertRule> {
	const client = await onlineClient('set an alert');
	return (await client.postJson(`/api/v1/models/${encodeURIComponent(modelName)}/alerts`, rule)) as AlertRule;
}

export async function deleteAlertRule(modelName: string, id: string): Promise<void> {
	const client = await onlineClient('delete an alert');
	await client.deleteJson(`/api/v1/models/${encodeURIComponent(modelName)}/alerts/${encodeURIComponent(id)}`);
}

/** Checks the model's rules now; answers what fired. */
export async function evaluateAlerts(modelName: string): Promise<AlertEvent[]> {
	const client = await onlineClient('check alerts');
	const r = await client.postJson(`/api/v1/models/${encodeURIComponent(modelName)}/alerts/evaluate`, {});
	return (r as { fired: AlertEvent[] }).fired;
}

/** Retraining tasks through the signed-in registry (src/lib/sync/retrain.ts). */
export async function retrain(): Promise<RetrainApi> {
	return retrainApi(await onlineClient('retrain a model'));
}

/**
 * Waits until a version registered in this tab has its number from the registry (it syncs first), syncing as it
 * waits; the number, or an error after `timeoutMs`.
 */
export async function syncedVersionNumber(versionId: string, timeoutMs = 60_000): Promise<number> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		await theEngine().syncNow();
		const v = await db().modelVersions.get(versionId);
		if (v?.version) return v.version;
		if (Date.now() > end)
			throw new Error('The registry has not numbered the new version yet: is it reachable?');
		await new Promise((r) => setTimeout(r, 500));
	}
}

/** A model's drift over the last `days` (hourly windows) as the notebook table drift_<model>; null when empty. */
export async function driftReport(modelName: string, days = 30): Promise<File | null> {
	const client = await onlineClient('read a model’s drift');
	const to = Date.now();
	const report = (await client.getJson(
		`/api/v1/models/${encodeURIComponent(modelName)}/drift?from=${to - days * 86_400_000}&to=${to}&window=hour`
	)) as DriftReport;
	const { driftRows, driftTableFile } = await import('$lib/monitoring/drift-table');
	return driftRows(report).length ? driftTableFile(modelName, report) : null;
}

/** Starts a batch scoring job at the edge on a table's CSV export (the champion of `modelName` scores it). */
export async function startBatch(modelName: string, csv: Uint8Array): Promise<BatchJob> {
	return startBatchJob(await onlineClient('score a table at the edge'), modelName, csv);
}

export async function batchJob(id: string): Promise<BatchJob> {
	return readBatchJob(await onlineClient('follow a batch job'), id);
}

/** A finished job's result as an NDJSON file named for the table it loads as (batch_<model>_<n>). */
export async function batchResult(job: BatchJob, existing: readonly string[]): Promise<File> {
	const client = await onlineClient('load a batch job’s result');
	return batchResultFile(client, job.id, batchTableName(job.model, existing));
}

/**
 * Registers an ONNX file from anywhere (PyTorch, scikit-learn, another exporter) as a new version of `modelName`
 * at the registry: the bytes once by their hash, the model if it is new, then the version, whose signature the
 * registry reads from the graph. Refuses bytes that are not an ONNX model before anything is sent.
 */
export async function importOnnx(o: { modelName: string; file: File }): Promise<{ version: number }> {
	const bytes = new Uint8Array(await o.file.arrayBuffer());
	readOnnxSignature(bytes);
	const client = await onlineClient('register an ONNX file');
	const sha = await sha256Hex(bytes);
	if (!(await client.hasBlob(sha))) await client.putBlob(sha, new Blob([bytes]));
	const name = encodeURIComponent(o.modelName);
	try {
		await client.postJson('/api/v1/models', { name: o.modelName });
	} catch (e) {
		// The model may exist already: a new version of it is what was asked for.
		if (!(e instanceof RegistryError && e.failure.kind === 'final' && e.failure.status === 409)) throw e;
	}
	const v = (await client.postJson(`/api/v1/models/${name}/versions`, {
		artifactSha256: sha,
		description: `Imported from ${o.file.name}`
	})) as { version: number };
	void theEngine().syncNow();
	return { version: v.version };
}

/** Changes the registry refused, with its reason, for the UI to show. */
export async function rejectedChanges() {
	return db().outbox.where('state').equals('rejected').toArray();
}

/**
 * The connection a federated participant uses: a participation token from the join link (bound to one job, the
 * registry is this page's own origin), or else the signed-in registry's.
 */
export async function federatedConnection(participationToken?: string | null) {
	if (participationToken) {
		const { federatedApi } = await import('$lib/federated/protocol');
		return federatedApi({ base: '', token: participationToken });
	}
	const config = await readConfig(db());
	if (!config)
		throw new Error('Sign in to a registry to take part in a federated job: the job runs at the edge.');
	const { federatedApi } = await import('$lib/federated/protocol');
	return federatedApi({ base: config.url.replace(/\/$/, ''), token: config.token });
}
