import { describe, expect, it } from 'vitest';
import { api } from '../registry-helpers';
import { ml, ok } from './helpers';

// What `mlflow.set_experiment / start_run / log_* / log_artifact / register_model / set_registered_model_alias`
// send, in order, against one Worker: the routes, methods and bodies MLflow's Python client uses.
describe('an MLflow client, start to finish', () => {
	it('logs a run, uploads its model and promotes a registered version', async () => {
		const { experiment_id: exp } = await ok<{ experiment_id: string }>(
			ml('/experiments/create', { json: { name: 'client-flow' } })
		);
		const { run } = await ok<{ run: { info: { run_id: string; artifact_uri: string } } }>(
			ml('/runs/create', {
				json: {
					experiment_id: exp,
					start_time: Date.now(),
					run_name: 'train',
					tags: [
						{ key: 'mlflow.user', value: 'ada' },
						{ key: 'mlflow.source.type', value: 'LOCAL' }
					]
				}
			})
		);
		const runId = run.info.run_id;
		await ok(
			ml('/runs/log-batch', {
				json: {
					run_id: runId,
					metrics: [0, 1, 2].map((step) => ({
						key: 'loss',
						value: 1 / (step + 1),
						timestamp: 1000 + step,
						step
					})),
					params: [{ key: 'lr', value: '0.01' }],
					tags: []
				}
			})
		);
		await ok(ml('/runs/log-parameter', { json: { run_id: runId, key: 'epochs', value: '3' } }));
		await ok(
			ml('/runs/log-metric', { json: { run_id: runId, key: 'acc', value: 0.93, timestamp: 2000, step: 2 } })
		);
		await ok(ml('/runs/set-tag', { json: { run_id: runId, key: 'model', value: 'mlp' } }));
		const ended = await ok<{ run_info: { status: string } }>(
			ml('/runs/update', { json: { run_id: runId, status: 'FINISHED', end_time: Date.now() } })
		);
		expect(ended.run_info.status).toBe('FINISHED');

		// log_model: the client turns artifact_uri (mlflow-artifacts:/…) into a PUT on the proxy.
		const root = run.info.artifact_uri.replace('mlflow-artifacts:/', '');
		const upload = await api(`/api/2.0/mlflow-artifacts/artifacts/${root}/model/MLmodel`, {
			method: 'PUT',
			body: 'artifact_path: model\n',
			headers: { 'content-type': 'application/octet-stream' }
		});
		expect(upload.status).toBe(200);

		const created = await ok<{ registered_model: { name: string } }>(
			ml('/registered-models/create', { json: { name: 'client-flow-model' } })
		);
		expect(created.registered_model.name).toBe('client-flow-model');
		const { model_version } = await ok<{
			model_version: { version: string; source: string; run_id: string };
		}>(
			ml('/model-versions/create', {
				json: { name: 'client-flow-model', source: `runs:/${runId}/model`, run_id: runId }
			})
		);
		expect(model_version).toMatchObject({ version: '1', source: `runs:/${runId}/model`, run_id: runId });
		await ok(
			ml('/registered-models/alias', { json: { name: 'client-flow-model', alias: 'champion', version: '1' } })
		);
		const byAlias = await ok<{ model_version: { version: string; aliases: string[]; run_id: string } }>(
			ml('/registered-models/alias', { query: { name: 'client-flow-model', alias: 'champion' } })
		);
		expect(byAlias.model_version).toMatchObject({ version: '1', aliases: ['champion'], run_id: runId });

		// load_model: download URI → the uploaded file comes back.
		const { artifact_uri } = await ok<{ artifact_uri: string }>(
			ml('/model-versions/get-download-uri', { query: { name: 'client-flow-model', version: '1' } })
		);
		const file = await api(
			`/api/2.0/mlflow-artifacts/artifacts/${artifact_uri.replace('mlflow-artifacts:/', '')}/MLmodel`
		);
		expect(await file.text()).toBe('artifact_path: model\n');

		const history = await ok<{ metrics: { step: number; value: number }[] }>(
			ml('/metrics/get-history', { query: { run_id: runId, metric_key: 'loss' } })
		);
		expect(history.metrics.map((m) => [m.step, m.value])).toEqual([
			[0, 1],
			[1, 0.5],
			[2, 1 / 3]
		]);
		const final = await ok<{ run: { data: { params: unknown[]; metrics: { key: string }[] } } }>(
			ml('/runs/get', { query: { run_id: runId } })
		);
		expect(final.run.data.params).toEqual([
			{ key: 'epochs', value: '3' },
			{ key: 'lr', value: '0.01' }
		]);
		expect(final.run.data.metrics.map((m) => m.key)).toEqual(['acc', 'loss']);
	});
});
