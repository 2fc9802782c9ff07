import { readFileSync } from 'node:fs';

/**
 * The penguins as the journeys that train on them use them: the bundled sample's rows (read from the same
 * vega-datasets file the app ships), the model's column names, the SQL that names them so, and a CSV of rows.
 */

export type Penguin = Record<string, string | number | null>;

export const PENGUINS = JSON.parse(
	readFileSync(new URL('../node_modules/vega-datasets/data/penguins.json', import.meta.url), 'utf8')
) as Penguin[];

/** The model's column, and the sample's field it comes from. */
export const COLUMNS: [string, string][] = [
	['species', 'Species'],
	['island', 'Island'],
	['beak_length', 'Beak Length (mm)'],
	['beak_depth', 'Beak Depth (mm)'],
	['flipper', 'Flipper Length (mm)'],
	['mass', 'Body Mass (g)']
];

/** The SQL cell the journeys train from: the sample's columns under the model's names. */
export const PENGUINS_SQL =
	'SELECT "Species" AS species, "Island" AS island, "Beak Length (mm)" AS beak_length,\n"Beak Depth (mm)" AS beak_depth, "Flipper Length (mm)" AS flipper, "Body Mass (g)" AS mass\nFROM penguins';

export const csvOf = (rows: Penguin[]) =>
	[COLUMNS.map(([c]) => c).join(','), ...rows.map((r) => COLUMNS.map(([, s]) => r[s] ?? '').join(','))].join(
		'\n'
	);
