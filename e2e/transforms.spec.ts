import { test, expect } from './fixtures';
import {
	addCell,
	addSample,
	addSqlCell,
	addTrainCell,
	cell,
	newNotebook,
	runCell,
	runTraining,
	setSql,
	signedIn,
	value
} from './helpers';

/**
 * Transforms declared in the train cell travel with the model: the notebook's predict cell and the edge read the
 * same raw rows (a DATE, an unclipped precipitation, the raw wind) and give the same labels.
 */

const TOKEN = process.env.EDGEBOOK_ADMIN_TOKEN!;

test('a model trained with declared transforms answers raw records at the edge exactly as the notebook does', async ({
	page,
	baseURL,
	request
}) => {
	test.setTimeout(180_000);
	await signedIn(page, baseURL!);
	await newNotebook(page, 'Weather with transforms');
	await addSample(page, 'seattle_weather');
	const t = await addTrainCell(page, {
		source: 'seattle_weather',
		target: 'weather',
		epochs: 5,
		learningRate: 0.03,
		backend: 'cpu'
	});
	const train = cell(page, t);

	// A line that is not a transform is refused by line, and the cell keeps what was typed.
	await train.getByLabel('transforms').fill('month(date)\nsqrt(wind)');
	await runCell(page, t, { expect: 'error' });
	await expect(train.getByRole('alert')).toContainText('Transforms, line 2: no transform "sqrt"');
	await expect(train.getByLabel('transforms')).toHaveValue('month(date)\nsqrt(wind)');

	await train
		.getByLabel('transforms')
		.fill('month(date)\nclip(precipitation, 0, 20)\nlog1p(wind) as wind_log');
	await runTraining(page, t);

	const p = await addCell(page, 'Predict');
	await runCell(page, p);
	const s = await addSqlCell(page);
	await setSql(
		page,
		s,
		"SELECT strftime(date, '%Y-%m-%d') AS d, precipitation::VARCHAR, temp_max::VARCHAR, temp_min::VARCHAR, wind::VARCHAR, predicted, prob_rain\nFROM p1 WHERE date IN ('2012-01-02', '2013-07-04', '2014-12-20', '2015-03-15') ORDER BY date"
	);
	await runCell(page, s);
	type Row = { record: Record<string, string | number>; predicted: string | null; rain: number };
	const rows: Row[] = [];
	for (let r = 0; r < 4; r++) {
		const v = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((c) => value(page, s, r, c).textContent()));
		rows.push({
			record: {
				date: v[0]!,
				precipitation: Number(v[1]),
				temp_max: Number(v[2]),
				temp_min: Number(v[3]),
				wind: Number(v[4])
			},
			predicted: v[5],
			rain: Number(v[6])
		});
	}
	expect(rows.map((r) => r.record.date)).toEqual(['2012-01-02', '2013-07-04', '2014-12-20', '2015-03-15']);

	// Registered and promoted, the version's preprocessing carries the transforms.
	await train.getByTestId('run-link').click();
	await page.getByTestId('register-model').getByLabel('model name').fill('weather-t');
	await page.getByTestId('register-model').getByRole('button', { name: 'Register model' }).click();
	await expect(page.getByTestId('run-detail').getByRole('status')).toContainText('weather-t');
	await page.goto('/models');
	const model = page.locator('[data-testid="model"][data-name="weather-t"]');
	await model.getByLabel('alias', { exact: true }).fill('champion');
	await model.getByRole('button', { name: 'Promote' }).click();
	const auth = { authorization: `Bearer ${TOKEN}` };
	// The version and its promotion reach the registry with the next push.
	await expect
		.poll(
			async () =>
				(await request.get('/api/v1/models/weather-t/aliases/champion', { headers: auth })).status(),
			{
				timeout: 30_000
			}
		)
		.toBe(200);
	const version = await (await request.get('/api/v1/models/weather-t/versions/1', { headers: auth })).json();
	expect(version.signature.preprocessing.transforms).toEqual([
		{ op: 'datepart', column: 'date', as: 'date_month', part: 'month' },
		{ op: 'clip', column: 'precipitation', as: 'precipitation_clip', min: 0, max: 20 },
		{ op: 'log1p', column: 'wind', as: 'wind_log' }
	]);
	expect(version.signature.preprocessing.features.map((f: { name: string }) => f.name).sort()).toEqual(
		['date_month', 'precipitation_clip', 'temp_max', 'temp_min', 'wind_log'].sort()
	);

	// The edge takes the raw records (the date as text) and gives the notebook's labels.
	const res = await request.post('/api/v1/models/weather-t/predict', {
		headers: auth,
		data: { dataframe_records: rows.map((r) => r.record) }
	});
	expect(res.status()).toBe(200);
	const body = await res.json();
	expect(body.predictions.map((x: { label: string }) => x.label)).toEqual(rows.map((r) => r.predicted));
	// Probabilities too, to the digits the grid shows: the same encoded features, not merely the same argmax.
	body.predictions.forEach((x: { probabilities: Record<string, number> }, i: number) =>
		expect(x.probabilities.rain).toBeCloseTo(rows[i].rain, 3)
	);
	// The same rows with the date as epoch milliseconds answer the same.
	const epoch = await request.post('/api/v1/models/weather-t/predict', {
		headers: auth,
		data: { rows: rows.map((r) => ({ ...r.record, date: Date.parse(`${r.record.date}T00:00:00Z`) })) }
	});
	expect((await epoch.json()).predictions).toEqual(body.predictions);
});
