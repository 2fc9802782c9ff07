import type { DataChanged, DataChangedResult, GateRequest, RetrainRequest, RetrainTask } from '$lib/contract';
import type { RegistryClient } from './client';

/**
 * The registry's retraining tasks as the tab uses them (docs/architecture.md, "Monitoring"): the monitoring page
 * opens and concludes them, the notebook that trained a champion takes them (claim, train, register, gate).
 */
export function retrainApi(client: RegistryClient) {
	const m = (name: string) => encodeURIComponent(name);
	const t = (id: string) => `/api/v1/retrain/${encodeURIComponent(id)}`;
	return {
		ofModel: async (model: string) =>
			((await client.getJson(`/api/v1/models/${m(model)}/retrain`)) as { tasks: RetrainTask[] }).tasks,
		ofNotebook: async (notebookId: string) =>
			(
				(await client.getJson(`/api/v1/retrain?notebookId=${encodeURIComponent(notebookId)}`)) as {
					tasks: RetrainTask[];
				}
			).tasks,
		open: async (model: string, body: RetrainRequest) =>
			(await client.postJson(`/api/v1/models/${m(model)}/retrain`, body)) as {
				task: RetrainTask;
				joined: boolean;
			},
		/** The notebook's datasets as they are now: champions trained on other bytes get a task ("new data"). */
		dataChanged: async (body: DataChanged) =>
			(await client.postJson('/api/v1/retrain/data', body)) as DataChangedResult,
		claim: async (id: string, by: string) => (await client.postJson(`${t(id)}/claim`, { by })) as RetrainTask,
		gate: async (id: string, body: GateRequest) =>
			(await client.postJson(`${t(id)}/gate`, body)) as RetrainTask,
		conclude: async (id: string, force: boolean) =>
			(await client.postJson(`${t(id)}/conclude`, { force })) as RetrainTask,
		cancel: async (id: string, reason: string) =>
			(await client.postJson(`${t(id)}/cancel`, { reason })) as RetrainTask
	};
}
export type RetrainApi = ReturnType<typeof retrainApi>;
