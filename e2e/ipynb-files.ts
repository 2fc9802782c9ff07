import { spawnSync } from 'node:child_process';
import { nbformatPython } from '../scripts/ensure-nbformat.mjs';

/** Checks on an exported .ipynb made with Jupyter's own tools (Python's zipfile and nbformat), not ours. */

function python(): string {
	const py = nbformatPython();
	if (!py) throw new Error('No Python here imports nbformat: run `npm run setup:nbformat`');
	return py;
}

/** The files in a zip, read by Python's zipfile with every CRC checked. */
export function unzip(path: string): Record<string, Buffer> {
	const script = [
		'import base64, json, sys, zipfile',
		'z = zipfile.ZipFile(sys.argv[1])',
		'assert z.testzip() is None, "bad CRC"',
		'print(json.dumps({n: base64.b64encode(z.read(n)).decode() for n in z.namelist()}))'
	].join('\n');
	const r = spawnSync(python(), ['-c', script, path], { encoding: 'utf8', maxBuffer: 64 << 20 });
	if (r.status !== 0) throw new Error(`zipfile could not read ${path}: ${r.stderr}`);
	const files = JSON.parse(r.stdout) as Record<string, string>;
	return Object.fromEntries(Object.entries(files).map(([n, b64]) => [n, Buffer.from(b64, 'base64')]));
}

/** nbformat's own validator on the file; '' when it is valid, else what nbformat says. */
export function nbformatErrors(path: string): string {
	const script = 'import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))';
	const r = spawnSync(python(), ['-c', script, path], { encoding: 'utf8' });
	return r.status === 0 ? '' : r.stderr || `nbformat exited ${r.status}`;
}
