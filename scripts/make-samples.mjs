// Generated sample data: a slice of the `mnist` package's digits as an Arrow IPC file, so a CNN can be tried
// on image-shaped rows offline. Written to static/samples/ (gitignored) before each build; skipped when present.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Float32, Int32, makeVector, Table, tableToIPC } from 'apache-arrow';

const OUT = 'static/samples/mnist-digits.arrow';
const PER_DIGIT = 200;
const SIZE = 28 * 28;

if (existsSync(OUT)) process.exit(0);
const require = createRequire(import.meta.url);
const digitsDir = join(dirname(require.resolve('mnist/src/mnist.js')), 'digits');
const rows = PER_DIGIT * 10;
const labels = new Int32Array(rows);
const pixels = Array.from({ length: SIZE }, () => new Float32Array(rows));
// Interleave the digits (0,1,…,9,0,1,…) so any prefix of the file is balanced.
for (let d = 0; d < 10; d++) {
	const raw = JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')).data;
	for (let i = 0; i < PER_DIGIT; i++) {
		const row = i * 10 + d;
		labels[row] = d;
		for (let p = 0; p < SIZE; p++) pixels[p][row] = raw[i * SIZE + p];
	}
}
const columns = { label: makeVector({ type: new Int32(), data: labels }) };
pixels.forEach((values, p) => (columns[`p${p}`] = makeVector({ type: new Float32(), data: values })));
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, tableToIPC(new Table(columns), 'file'));
console.log(`wrote ${OUT}: ${rows} digits × ${SIZE} pixels`);
