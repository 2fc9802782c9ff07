import { expect } from 'vitest';
import { REFERENCE_ARTIFACT, ReferenceProfile } from '../../../src/lib/ml/monitor/reference';
import { PREDICTION_FEATURE, profileDataset } from '../../../src/lib/ml/profile';
import { mulberry32 } from '../../../src/lib/ml/random';
import type { Preprocessing } from '../../../src/lib/ml/types';
import { settle } from '../helpers';
import { predictPath, upload } from '../inference/fixtures';
import { gemmModel } from '../inference/onnx-builder';
import { api, ok } from '../v1/fixtures';

/** A churn model on age and income whose prediction follows age, its reference profile, and its traffic. */

export const PREP: Preprocessing = {
	version: 1,
	features: [
		{ name: 'age', kind: 'numeric', mean: 40, std: 10, impute: 40 },
		{ name: 'income', kind: 'numeric', mean: 50, std: 10, impute: 50 }
	],
	target: { name: 'churn', task: 'binary', classes: ['no', 'yes'] },
	width: 2
};
/** P(yes) = σ(2·(age − 40)/10): the prediction follows age only. */
const ONNX = gemmModel({ weights: [[2], [0]], bias: [0], head: 'sigmoid' });

const rng = mulberry32(11);
const normal = () => {
	const u = 1 - rng();
	return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
};
export const draw = (n: number, shift = 0) =>
	Array.from({ length: n }, () => ({
		age: Math.round((40 + shift + 10 * normal()) * 10) / 10,
		income: Math.round((50 + 10 * normal()) * 10) / 10
	}));
export const predicted = (rows: { age: number }[]) =>
	rows.map((r) => (2 * ((r.age - 40) / 10) > 0 ? 'yes' : 'no'));

export const REF_ROWS = draw(180);
export const REF_TEST = draw(60);
export function reference(): ReferenceProfile {
	return new ReferenceProfile(
		profileDataset({ age: REF_ROWS.map((r) => r.age), income: REF_ROWS.map((r) => r.income) }),
		profileDataset({ [PREDICTION_FEATURE]: predicted(REF_TEST) })
	);
}

let runs = 0;
/** A version whose source run carries reference-profile.json, as every notebook-trained run does. */
export async function trainedVersion(model: string, ref: ReferenceProfile | null): Promise<number> {
	return (await trainedVersionWithRun(model, ref)).version;
}

/** The same with another graph (a retrained challenger), answering the version and its run. */
export async function trainedVersionWithRun(
	model: string,
	ref: ReferenceProfile | null,
	onnx: Uint8Array = ONNX
): Promise<{ version: number; runId: string }> {
	const exp = await api('/api/v1/experiments', { method: 'POST', json: { name: 'mon-source' } });
	const expId =
		exp.status === 201
			? ((await exp.json()) as { id: string }).id
			: (await ok<{ experiments: { id: string; name: string }[] }>('/api/v1/experiments')).experiments.find(
					(e) => e.name === 'mon-source'
				)!.id;
	const runId = `monsrc_${++runs}`;
	await ok('/api/v1/runs', {
		method: 'POST',
		json: { id: runId, experimentId: expId, name: 'source' },
		status: 201
	});
	if (ref)
		await ok(`/api/v1/runs/${runId}/artifacts`, {
			method: 'POST',
			json: { name: REFERENCE_ARTIFACT, sha256: await upload(new TextEncoder().encode(JSON.stringify(ref))) },
			status: 201
		});
	const m = await api('/api/v1/models', { method: 'POST', json: { name: model } });
	if (m.status !== 201 && m.status !== 409) throw new Error(`model: ${m.status}`);
	const v = await ok<{ version: number }>(`/api/v1/models/${model}/versions`, {
		method: 'POST',
		json: { sourceRunId: runId, artifactSha256: await upload(onnx), signature: { preprocessing: PREP } },
		status: 201
	});
	return { version: v.version, runId };
}

export async function predict(
	model: string,
	version: number,
	rows: Record<string, number>[]
): Promise<string[]> {
	const res = await api(predictPath(model, version), { method: 'POST', json: { dataframe_records: rows } });
	const text = await res.text();
	expect(res.status, text).toBe(200);
	await settle();
	return (JSON.parse(text) as { predictions: { label: string }[] }).predictions.map((p) => p.label);
}
