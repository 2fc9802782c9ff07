import { test, expect } from './fixtures';
import { signedIn } from './helpers';
import { sklearnLikeModel } from '../tests/worker/inference/onnx-builder';

/**
 * An ONNX file made elsewhere (here written as scikit-learn's converter shapes a classifier) is brought in on the
 * Models page: its signature shows before anything is sent, it registers as a version, is promoted, and answers
 * the edge in MLflow's tensor format with the labels its weights give.
 */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;
// x · W: column k wins where feature k is largest (k < 3); feature 3 counts for nothing.
const W = [
	[1, 0, 0],
	[0, 1, 0],
	[0, 0, 1],
	[0, 0, 0]
];

test('an ONNX file from another exporter is imported, shows its signature, registers and answers the edge', async ({
	page,
	baseURL,
	request
}) => {
	test.setTimeout(120_000);
	await signedIn(page, baseURL!);
	await page.goto('/models');
	const form = page.getByTestId('onnx-import');
	await form.locator('summary').click();

	// Bytes that are not ONNX are refused here, naming the file, before anything is sent.
	await form.getByLabel('ONNX file', { exact: true }).setInputFiles({
		name: 'notes.onnx',
		mimeType: 'application/octet-stream',
		buffer: Buffer.from('{"these": "are not weights"}')
	});
	await expect(form.getByRole('alert')).toContainText('notes.onnx is not an ONNX model:');
	await expect(form.getByRole('button', { name: 'Register ONNX model' })).toBeDisabled();

	await form.getByLabel('ONNX file', { exact: true }).setInputFiles({
		name: 'iris classifier.onnx',
		mimeType: 'application/octet-stream',
		buffer: Buffer.from(sklearnLikeModel(W))
	});
	await expect(form.getByTestId('onnx-signature')).toContainText('float_input: float32 [N, 4]');
	await expect(form.getByTestId('onnx-signature')).toContainText('label: int64 [N]');
	await expect(form.getByTestId('onnx-signature')).toContainText('probabilities: float32 [N, 3]');
	await expect(form.getByTestId('onnx-signature')).toContainText('skl2onnx');
	await expect(form.getByLabel('model name for the ONNX file')).toHaveValue('iris-classifier');
	await form.getByRole('button', { name: 'Register ONNX model' }).click();
	await expect(form.getByRole('status')).toHaveText('Registered as iris-classifier v1.');

	const model = page.locator('[data-testid="model"][data-name="iris-classifier"]');
	await expect(model.locator('[data-testid="model-version"][data-version="1"]')).toBeVisible({
		timeout: 30_000
	});
	await model.getByLabel('alias', { exact: true }).fill('champion');
	await model.getByRole('button', { name: 'Promote' }).click();
	// The promotion reaches the registry with the next push.
	await expect
		.poll(
			async () =>
				(
					await request.get('/api/v1/models/iris-classifier/aliases/champion', {
						headers: { authorization: `Bearer ${TOKEN}` }
					})
				).status(),
			{ timeout: 30_000 }
		)
		.toBe(200);

	const res = await request.post('/api/v1/models/iris-classifier/predict', {
		headers: { authorization: `Bearer ${TOKEN}` },
		data: {
			inputs: [
				[5, 1, 1, 9],
				[1, 5, 1, 9],
				[1, 1, 5, 9]
			]
		}
	});
	expect(res.status()).toBe(200);
	const body = await res.json();
	expect(body.predictions.label).toEqual([0, 1, 2]);
	expect(res.headers()['x-edgebook-alias']).toBe('champion');
	// The same file again is a second version of the same model, its bytes stored once.
	await form.getByRole('button', { name: 'Register ONNX model' }).click();
	await expect(form.getByRole('status')).toHaveText('Registered as iris-classifier v2.');
});
