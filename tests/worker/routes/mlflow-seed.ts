import { api } from '../registry-helpers';
import { ml, newExperiment, newRun, ok } from '../mlflow/helpers';

/** One of everything MLflow can make, in the admin token's workspace (`local`), made through MLflow's routes. */
export interface MlflowSeed {
	experimentId: string;
	experimentName: string;
	runId: string;
	model: string;
	/** `<experiment>/<run>/artifacts`, the run's artifact root under the proxy. */
	artifactRoot: string;
}

export async function seedMlflow(suffix = 'm'): Promise<MlflowSeed> {
	const experimentName = `seed-exp-${suffix}`;
	const experimentId = await newExperiment(experimentName);
	await ok(
		ml('/experiments/set-experiment-tag', { json: { experiment_id: experimentId, key: 'team', value: 'a' } })
	);
	const runId = await newRun(experimentId, { tags: [{ key: 'rt', value: 'x' }] });
	await ok(
		ml('/runs/log-batch', {
			json: {
				run_id: runId,
				metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 0 }],
				params: [{ key: 'lr', value: '0.1' }],
				tags: [{ key: 'note', value: 'n' }]
			}
		})
	);
	const artifactRoot = `${experimentId}/${runId}/artifacts`;
	const put = await api(`/api/2.0/mlflow-artifacts/artifacts/${artifactRoot}/model/a.txt`, {
		method: 'PUT',
		body: 'bytes of a',
		headers: { 'content-type': 'text/plain' }
	});
	if (put.status !== 200) throw new Error(`artifact upload: ${put.status} ${await put.text()}`);
	const model = `seed-model-${suffix}`;
	await ok(ml('/registered-models/create', { json: { name: model, tags: [{ key: 'mt', value: 'v' }] } }));
	await ok(
		ml('/model-versions/create', {
			json: { name: model, source: `runs:/${runId}/model`, run_id: runId, tags: [{ key: 'vt', value: 'v' }] }
		})
	);
	await ok(ml('/registered-models/alias', { json: { name: model, alias: 'champion', version: '1' } }));
	return { experimentId, experimentName, runId, model, artifactRoot };
}
