// What bench:federated reads of the `wrangler dev` server from outside (Linux only): the workerd processes that
// run the Worker and its Durable Objects, their resident memory, and a Durable Object class's SQLite files under
// the persist dir. bench/run.mjs starts wrangler with `--persist-to <persistTo>` (scripts/server.mjs), so the
// wrangler process is the one whose command line holds that folder, and workerd is among its descendants.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function processes() {
	const out = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
			// "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
			const close = stat.lastIndexOf(')');
			const comm = stat.slice(stat.indexOf('(') + 1, close);
			const ppid = Number(stat.slice(close + 2).split(' ')[1]);
			const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
			out.push({ pid: Number(name), ppid, comm, cmdline });
		} catch {
			// Gone meanwhile, or not ours to read.
		}
	}
	return out;
}

/**
 * The workerd processes under the wrangler started with `--persist-to persistTo`, as { pid, role }: wrangler 4 runs
 * two, the `runtime` that runs the Worker and its Durable Objects (started with an inspector port) and the `proxy`
 * in front of it on the public port. [] when none is found.
 */
export function workerdProcesses(persistTo) {
	const all = processes();
	const roots = all.filter(
		(p) =>
			p.pid !== process.pid &&
			p.cmdline.some((a, i) => a === persistTo && p.cmdline[i - 1] === '--persist-to')
	);
	const seen = new Set(roots.map((p) => p.pid));
	let frontier = [...seen];
	while (frontier.length) {
		const next = all.filter((p) => frontier.includes(p.ppid) && !seen.has(p.pid)).map((p) => p.pid);
		next.forEach((pid) => seen.add(pid));
		frontier = next;
	}
	return all
		.filter((p) => seen.has(p.pid) && p.comm === 'workerd')
		.map((p) => ({
			pid: p.pid,
			role: p.cmdline.some((a) => a.startsWith('--inspector-addr')) ? 'runtime' : 'proxy'
		}));
}

/** A /proc/<pid>/status field in kB; NaN when the process is gone (wrangler dev restarts workerd on a reload). */
function statusKB(pid, field) {
	try {
		const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : NaN;
	} catch {
		return NaN;
	}
}

/** VmRSS summed over `pids`, in MB (10^6 bytes); NaN when one is gone. */
export const rssMB = (pids) => pids.reduce((s, pid) => s + statusKB(pid, 'VmRSS'), 0) / 1000;

/** VmHWM (the peak RSS since the last reset) summed over `pids`, in MB; NaN when one is gone. */
export const hwmMB = (pids) => pids.reduce((s, pid) => s + statusKB(pid, 'VmHWM'), 0) / 1000;

/** Resets each process's VmHWM to its current RSS (`echo 5 > /proc/<pid>/clear_refs`); false where refused. */
export function resetPeak(pids) {
	try {
		pids.forEach((pid) => writeFileSync(`/proc/${pid}/clear_refs`, '5'));
		return true;
	} catch {
		return false;
	}
}

/**
 * Samples rssMB(pids) every `everyMs` until stop(), which answers { peakMB, samples, lost }: lost is true when a
 * process was gone at some sample (a restarted workerd: the peak then covers only the samples before).
 */
export function sampleRss(pids, everyMs = 50) {
	let peak = rssMB(pids);
	let samples = 1;
	let lost = Number.isNaN(peak);
	const take = () => {
		const mb = rssMB(pids);
		if (Number.isNaN(mb)) lost = true;
		else {
			peak = Number.isNaN(peak) ? mb : Math.max(peak, mb);
			samples++;
		}
	};
	const timer = setInterval(take, everyMs);
	return {
		stop() {
			clearInterval(timer);
			take();
			return { peakMB: peak, samples, lost };
		}
	};
}

/** Every SQLite file (with its -wal and -shm) of Durable Objects whose class name holds `className`, anywhere under `dir`. */
export function objectSqliteFiles(dir, className) {
	const out = [];
	const walk = (d, inClass) => {
		let entries;
		try {
			entries = readdirSync(d, { withFileTypes: true });
		} catch {
			return;
		}
		for (const e of entries) {
			const path = join(d, e.name);
			if (e.isDirectory()) walk(path, inClass || e.name.includes(className));
			else if (inClass && /\.sqlite(-wal|-shm)?$/.test(e.name)) out.push(path);
		}
	};
	walk(dir, false);
	return out;
}

/** The summed size of `files` in MB; a file gone meanwhile counts 0. */
export function filesMB(files) {
	let bytes = 0;
	for (const f of files) {
		try {
			bytes += statSync(f).size;
		} catch {
			// Removed (a -wal after a checkpoint).
		}
	}
	return bytes / 1e6;
}
