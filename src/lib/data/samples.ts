import penguins from '$samples/penguins.json?url';
import cars from '$samples/cars.json?url';
import seattleWeather from '$samples/seattle-weather.csv?url';
import flights3m from '$samples/flights-3m.parquet?url';

/** Sample data ships inside the app from the vega-datasets package: nothing is downloaded from elsewhere. */
export interface Sample {
	id: string;
	fileName: string;
	label: string;
	url: string;
	rows: string;
}

export const SAMPLES: Sample[] = [
	{ id: 'penguins', fileName: 'penguins.json', label: 'Palmer penguins', url: penguins, rows: '344 rows' },
	{ id: 'cars', fileName: 'cars.json', label: 'Cars', url: cars, rows: '406 rows' },
	{
		id: 'seattle_weather',
		fileName: 'seattle-weather.csv',
		label: 'Seattle weather',
		url: seattleWeather,
		rows: '1,461 rows'
	},
	{
		id: 'flights',
		fileName: 'flights-3m.parquet',
		label: 'Flights (3M rows)',
		url: flights3m,
		rows: '3,000,000 rows'
	},
	{
		// Generated from the `mnist` package by scripts/make-samples.mjs before each build (static/samples/).
		id: 'mnist',
		fileName: 'mnist-digits.arrow',
		label: 'MNIST digits (28×28)',
		url: '/samples/mnist-digits.arrow',
		rows: '2,000 images'
	}
];
