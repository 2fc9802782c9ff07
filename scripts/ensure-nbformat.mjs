// Makes sure a Python 3 with nbformat is here, for the e2e test that validates the exported .ipynb with
// nbformat's own validator. It comes from the Debian archive (python3-nbformat), like Chromium; never pip.
// Debian's package installs for /usr/bin/python3, which may not be the first python3 on PATH (pyenv).
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export const PYTHONS = [process.env.NBFORMAT_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean);
const APT = ['apt-get update', 'apt-get install -y --no-install-recommends python3-nbformat'];

/** The first Python that can import nbformat, or null. */
export function nbformatPython() {
	for (const py of PYTHONS) {
		const r = spawnSync(py, ['-c', 'import nbformat'], { stdio: 'ignore' });
		if (r.status === 0) return py;
	}
	return null;
}

function main() {
	if (nbformatPython()) return;
	const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
	const isRoot = process.getuid?.() === 0;
	// sudo -n fails instead of asking for a password, so this never hangs a CI job.
	const sudo = !isRoot && has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
	const explain = (reason) => {
		console.error(
			`No Python 3 here can import nbformat and ${reason}. Install Debian's package, then re-run:\n`
		);
		for (const cmd of APT) console.error(`  sudo ${cmd}`);
		console.error('\n(or set NBFORMAT_PYTHON to a Python that has nbformat)');
		process.exit(1);
	};
	if (!has('apt-get')) explain('apt-get is not available (not a Debian/Ubuntu system)');
	if (!isRoot && !sudo) explain('this user can neither install packages nor use sudo without a password');
	console.log("nbformat not found; installing Debian's python3-nbformat package…");
	for (const cmd of APT) {
		const argv = (sudo ? ['sudo', '-n', '-E'] : []).concat(cmd.split(' '));
		const r = spawnSync(argv[0], argv.slice(1), {
			stdio: 'inherit',
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
		});
		if (r.status !== 0) explain(`\`${cmd}\` failed (exit ${r.status})`);
	}
	const py = nbformatPython();
	if (!py) explain('the package installed but no python3 here imports it');
	console.log(`nbformat is importable by ${py}.`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
