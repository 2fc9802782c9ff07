import http from 'node:http';

/**
 * An HTTP proxy that misbehaves like a bad network: it drops requests before they reach the registry, drops
 * answers after the registry applied them, sends some requests twice, and delays others so they arrive out of
 * order. Seeded, so a failing run can be replayed.
 */

export interface ChaosStats {
	requests: number;
	droppedBefore: number;
	droppedAfter: number;
	duplicated: number;
	delayed: number;
	upstreamDown: number;
	pushes: number;
	/** Faults that hit pushes, apart: a push dropped after the registry applied it must come back as duplicate. */
	pushDroppedBefore: number;
	pushDroppedAfter: number;
	pushDuplicated: number;
	/** Mutations the registry answered `duplicate` for (it held them already): its exactly-once path ran. */
	duplicateOutcomes: number;
}

export type PushFault = 'dropBefore' | 'dropAfter' | 'duplicate';
/** Where a forced fault puts the push on the random scale below. */
const FORCED: Record<PushFault, number> = { dropBefore: 0, dropAfter: 0.2, duplicate: 0.4 };

export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

async function forward(upstream: string, req: http.IncomingMessage, body: Buffer) {
	const headers = new Headers();
	for (const [k, v] of Object.entries(req.headers))
		if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers.set(k, v);
	const res = await fetch(`${upstream}${req.url}`, {
		method: req.method,
		headers,
		body: req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(body)
	});
	return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

export function startChaosProxy(o: {
	upstream: () => string;
	seed: number;
	/** Called for every push before it is forwarded; the test restarts the registry from here. */
	onPush?: (n: number) => void;
	/** Faults given to the n-th push whatever the dice say, so the test can count on each having happened. */
	forcePush?: Record<number, PushFault>;
}) {
	const rand = mulberry32(o.seed);
	const stats: ChaosStats = {
		requests: 0,
		droppedBefore: 0,
		droppedAfter: 0,
		duplicated: 0,
		delayed: 0,
		upstreamDown: 0,
		pushes: 0,
		pushDroppedBefore: 0,
		pushDroppedAfter: 0,
		pushDuplicated: 0,
		duplicateOutcomes: 0
	};
	const outcomes = (isPush: boolean, a: Awaited<ReturnType<typeof forward>>) => {
		if (!isPush || a.status !== 200) return a;
		const body = JSON.parse(a.body.toString()) as { results?: { outcome: string }[] };
		stats.duplicateOutcomes += (body.results ?? []).filter((x) => x.outcome === 'duplicate').length;
		return a;
	};
	let chaos = true;
	let pushes = 0;
	const server = http.createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const c of req) chunks.push(c as Buffer);
		const body = Buffer.concat(chunks);
		stats.requests++;
		const isPush = req.url?.startsWith('/api/v1/sync/push') ?? false;
		const dice = chaos ? rand() : 1;
		const n = isPush ? ++pushes : 0;
		if (isPush) {
			stats.pushes = n;
			o.onPush?.(n);
		}
		const forced = chaos && isPush ? o.forcePush?.[n] : undefined;
		const r = forced ? FORCED[forced] : dice;
		try {
			if (r < 0.15) {
				stats.droppedBefore++;
				if (isPush) stats.pushDroppedBefore++;
				req.socket.destroy();
				return;
			}
			if (r < 0.3) {
				stats.droppedAfter++;
				outcomes(isPush, await forward(o.upstream(), req, body));
				if (isPush) stats.pushDroppedAfter++;
				req.socket.destroy();
				return;
			}
			if (r < 0.45) {
				stats.duplicated++;
				if (isPush) stats.pushDuplicated++;
				// Both copies race; the client sees whichever answer came first.
				const copies = [0, 1].map(() => forward(o.upstream(), req, body).then((a) => outcomes(isPush, a)));
				for (const c of copies) c.catch(() => {});
				const a = await Promise.any(copies);
				return send(res, a);
			}
			if (r < 0.65) {
				stats.delayed++;
				await new Promise((ok) => setTimeout(ok, 50 + rand() * 400));
			}
			send(res, outcomes(isPush, await forward(o.upstream(), req, body)));
		} catch {
			stats.upstreamDown++;
			if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('registry unreachable');
		}
	});
	const send = (res: http.ServerResponse, r: Awaited<ReturnType<typeof forward>>) => {
		const headers: Record<string, string> = {};
		r.headers.forEach((v, k) => {
			if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(k))
				headers[k] = v;
		});
		res.writeHead(r.status, headers).end(r.body);
	};
	return {
		stats,
		heal: () => (chaos = false),
		listen: () =>
			new Promise<string>((ok) =>
				server.listen(0, '127.0.0.1', () =>
					ok(`http://127.0.0.1:${(server.address() as { port: number }).port}`)
				)
			),
		close: () => new Promise<void>((ok) => server.close(() => ok()))
	};
}
