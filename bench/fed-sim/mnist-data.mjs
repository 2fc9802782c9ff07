// The `mnist` package's 10,000 digits (1,000 per class, 28×28 floats in [0, 1]) as one Float32Array, a seeded
// train/test split and the client partitions of McMahan et al. (2017): IID (shuffled, equal shares), pathological
// non-IID (sorted by label, cut into 2·clients shards, 2 shards per client) and Dirichlet(α) label skew.
import { createRequire } from 'node:module';

export const PIXELS = 784;
export const CLASSES = 10;

/** mulberry32: a small seeded generator, so a run's split, partitions and sampling of stragglers repeat. */
export function rng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function shuffle(array, random) {
	for (let i = array.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[array[i], array[j]] = [array[j], array[i]];
	}
	return array;
}

/** { x: Float32Array(n·784), y: Uint8Array(n), n } for the given rows of a set. */
export function take(set, rows) {
	const x = new Float32Array(rows.length * PIXELS);
	const y = new Uint8Array(rows.length);
	rows.forEach((r, i) => {
		x.set(set.x.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
		y[i] = set.y[r];
	});
	return { x, y, n: rows.length };
}

/** All 10,000 digits, shuffled with `seed`, then the first `train` rows and the rest. */
export function loadMnist({ train = 8000, seed = 1 } = {}) {
	const mnist = createRequire(import.meta.url)('mnist');
	const n = mnist.reduce((s, d) => s + d.length, 0);
	const all = { x: new Float32Array(n * PIXELS), y: new Uint8Array(n), n };
	let row = 0;
	for (const digit of mnist)
		for (let i = 0; i < digit.length; i++, row++) {
			all.x.set(digit.raw.slice(i * PIXELS, (i + 1) * PIXELS), row * PIXELS);
			all.y[row] = digit.id;
		}
	if (train >= n)
		throw new Error(`--train ${train}: the mnist package has ${n} digits, some must be held out`);
	const order = shuffle([...Array(n).keys()], rng(seed));
	return { train: take(all, order.slice(0, train)), test: take(all, order.slice(train)) };
}

/** Each client's row indices into `train`. */
export function partition(train, { kind, clients, alpha = 0.5, seed = 2 }) {
	const random = rng(seed);
	const rows = [...Array(train.n).keys()];
	if (kind === 'iid') {
		shuffle(rows, random);
		const per = Math.floor(train.n / clients);
		return Array.from({ length: clients }, (_, c) => rows.slice(c * per, (c + 1) * per));
	}
	if (kind === 'pathological') {
		// McMahan et al.: sort by digit, 2·clients shards of equal size, each client gets 2 shards at random.
		rows.sort((a, b) => train.y[a] - train.y[b] || a - b);
		const shards = 2 * clients;
		const size = Math.floor(train.n / shards);
		const order = shuffle([...Array(shards).keys()], random);
		return Array.from({ length: clients }, (_, c) =>
			[order[2 * c], order[2 * c + 1]].flatMap((s) => rows.slice(s * size, (s + 1) * size))
		);
	}
	if (kind === 'dirichlet') {
		// Per class, its rows split over the clients in proportions drawn from Dirichlet(α) (Hsu et al. 2019).
		const byClass = Array.from({ length: CLASSES }, () => []);
		for (const r of shuffle(rows, random)) byClass[train.y[r]].push(r);
		const out = Array.from({ length: clients }, () => []);
		for (const members of byClass) {
			const g = Array.from({ length: clients }, () => gamma(alpha, random));
			const total = g.reduce((a, b) => a + b, 0);
			let start = 0;
			let acc = 0;
			g.forEach((v, c) => {
				acc += v / total;
				const end = c === clients - 1 ? members.length : Math.round(acc * members.length);
				out[c].push(...members.slice(start, end));
				start = end;
			});
		}
		// A client needs at least one row to train: an empty one takes one from the largest.
		for (const mine of out)
			if (mine.length === 0) mine.push(out.reduce((a, b) => (b.length > a.length ? b : a)).pop());
		return out;
	}
	throw new Error(`unknown partition ${kind}: iid, pathological or dirichlet`);
}

/** Marsaglia–Tsang Gamma(shape, 1) sampler (with the α < 1 boost). */
function gamma(shape, random) {
	if (shape < 1) return gamma(shape + 1, random) * random() ** (1 / shape);
	const d = shape - 1 / 3;
	const c = 1 / Math.sqrt(9 * d);
	for (;;) {
		let x;
		let v;
		do {
			const u1 = random() || 1e-12;
			const u2 = random();
			x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		const u = random();
		if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
	}
}
