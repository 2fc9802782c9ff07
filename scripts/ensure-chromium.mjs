// Makes sure Debian's Chromium is installed for the e2e tests. Browsers come from the Debian archive only (the
// machines have no other network); never `npx playwright install`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const APT = ['apt-get update', 'apt-get install -y --no-install-recommends chromium'];

if (existsSync(CHROMIUM)) process.exit(0);

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isRoot = process.getuid?.() === 0;
// sudo -n fails instead of asking for a password, so this never hangs a CI job.
const sudo = !isRoot && has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;

function explain(reason) {
	console.error(`Chromium is missing at ${CHROMIUM} and ${reason}. Install Debian's package, then re-run:\n`);
	for (const cmd of APT) console.error(`  sudo ${cmd}`);
	console.error('\n(or set CHROMIUM_PATH to an existing Chromium binary)');
	process.exit(1);
}

if (!has('apt-get')) explain('apt-get is not available (not a Debian/Ubuntu system)');
if (!isRoot && !sudo) explain('this user can neither install packages nor use sudo without a password');

console.log(`Chromium not found at ${CHROMIUM}; installing Debian's chromium package…`);
for (const cmd of APT) {
	const argv = (sudo ? ['sudo', '-n', '-E'] : []).concat(cmd.split(' '));
	const r = spawnSync(argv[0], argv.slice(1), {
		stdio: 'inherit',
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
	});
	if (r.status !== 0) explain(`\`${cmd}\` failed (exit ${r.status})`);
}
if (!existsSync(CHROMIUM)) explain('the package installed but the binary is not where expected');
console.log(`Installed ${CHROMIUM}.`);
