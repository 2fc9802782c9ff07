// fed:sim's command line and the configurations it runs (McMahan et al. 2017's grid; FedProx with stragglers).
const FLAGS = {
	model: 'both', // 2nn | cnn | both (the default run: the 2NN only; with --full, the 2NN's grid and the CNN's)
	full: false,
	rounds: null, // the round cap for every configuration (≤ 1000, the job's maximum)
	partition: null, // iid,pathological,dirichlet (a comma list)
	alpha: 0.5,
	configs: null, // a comma list: fedsgd, or ExB (B a number or inf), e.g. fedsgd,1x10,5x10,20x10
	target: null, // test accuracy, e.g. 0.95 (applies to every model run)
	clients: 100,
	fraction: 0.1,
	train: 8000,
	fedprox: true,
	mu: 1,
	seed: 1,
	encoding: 'float32', // float32 | float16 | int8 (the job's updateEncoding; quantised with error feedback)
	compareEncodings: false, // 2NN IID, one configuration, float32 vs float16 vs int8 for the same rounds
	// Minutes for all configurations together (the default run: 13, to finish within 15 with the server's start;
	// --full and --compare-encodings: none); main.mjs splits it. A configuration that runs out stops and says so.
	budget: null
};

export function parseArgs(argv) {
	const o = { ...FLAGS };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
		const [k, inline] = a.slice(2).split('=');
		const key = k.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
		if (key.startsWith('no') && typeof FLAGS[key[2].toLowerCase() + key.slice(3)] === 'boolean') {
			o[key[2].toLowerCase() + key.slice(3)] = false;
			continue;
		}
		if (!(key in FLAGS)) throw new Error(`unknown flag --${k}; flags: ${Object.keys(FLAGS).join(', ')}`);
		if (typeof FLAGS[key] === 'boolean') {
			o[key] = inline === undefined ? true : inline !== 'false';
			continue;
		}
		const v = inline ?? argv[++i];
		if (v === undefined) throw new Error(`--${k} needs a value`);
		o[key] = ['rounds', 'alpha', 'target', 'clients', 'fraction', 'train', 'mu', 'seed', 'budget'].includes(
			key
		)
			? Number(v)
			: v;
		if (typeof o[key] === 'number' && !Number.isFinite(o[key]))
			throw new Error(`--${k} takes a number, got ${v}`);
	}
	if (o.rounds !== null && (o.rounds < 1 || o.rounds > 1000))
		throw new Error('--rounds: 1 to 1000 (the job maximum)');
	o.budget ??= o.full || o.compareEncodings ? Infinity : 13;
	if (!ENCODINGS.includes(o.encoding)) throw new Error(`--encoding: one of ${ENCODINGS.join(', ')}`);
	return o;
}

/** Learning rates, chosen once per model and batch size (plain SGD, no decay); FedSGD is E=1, B=∞. */
export const LEARNING_RATES = {
	'2nn': { fedsgd: 0.5, 10: 0.1, 50: 0.2, Infinity: 0.5 },
	cnn: { fedsgd: 0.2, 10: 0.05, 50: 0.1, Infinity: 0.2 }
};
export const ENCODINGS = ['float32', 'float16', 'int8'];

/**
 * Test-accuracy targets our 8,000 training digits reach (the paper's 97% for the 2NN and 99% for the CNN need its
 * 60,000: with 80 digits a client the 2NN levels off near 94–95%, and the CNN near 98%). Run in-process with the
 * sim's own training (same split, seeds and learning rates), the 2NN IID crossed 90% after ~53 FedSGD rounds and
 * ~26 rounds of E=1 B=10, and pathological non-IID is slower and noisier still, hence 85% there. Lower targets
 * favour FedSGD: the rounds it saves early are the cheap ones, so speed-ups at 90% understate those at 97%.
 */
export const TARGETS = {
	'2nn': { iid: 0.9, pathological: 0.85, dirichlet: 0.88 },
	cnn: { iid: 0.97, pathological: 0.93, dirichlet: 0.95 }
};
const targetOf = (o, model, partition) => o.target ?? TARGETS[model][partition] ?? TARGETS[model].iid;

const parseConfig = (s) => {
	if (s === 'fedsgd') return { E: 1, B: Infinity, fedsgd: true };
	const m = /^(\d+)x(\d+|inf)$/i.exec(s);
	if (!m) throw new Error(`--configs: ${s} is not fedsgd or ExB (e.g. 5x10, 1xinf)`);
	const B = m[2].toLowerCase() === 'inf' ? Infinity : Number(m[2]);
	return { E: Number(m[1]), B, fedsgd: Number(m[1]) === 1 && B === Infinity };
};

/** The paper's Table 2 grid (E, B), FedSGD last (it takes what time the others leave); the default run's is smaller. */
const GRID = ['5xinf', '1x50', '20xinf', '1x10', '5x50', '20x50', '5x10', '20x10', 'fedsgd'];
/** The default run's (≤ 15 min on 2 cores): FedSGD needs the most rounds, so non-IID gets only the paper's headline pair. */
const DEFAULT_2NN = {
	iid: ['1x10', '5x10', 'fedsgd'],
	pathological: ['5x10', 'fedsgd'],
	dirichlet: ['1x10', '5x10', 'fedsgd']
};
const DEFAULT_CNN = ['5x10', 'fedsgd'];

export function plan(o) {
	if (o.compareEncodings) return compareEncodings(o);
	// The default run is the 2NN's (the CNN's ~15 s rounds on 2 CPU cores do not fit 15 minutes); --full adds the CNN.
	const models = o.model === 'both' ? (o.full ? ['2nn', 'cnn'] : ['2nn']) : [o.model];
	const runs = [];
	for (const model of models) {
		// `--model cnn` alone: the paper's headline pair (FedSGD, E=5 B=10) on IID data within --budget.
		const cnnPair = model === 'cnn' && !o.full;
		const partitions = (o.partition ?? (cnnPair ? 'iid' : 'iid,pathological')).split(',');
		const names = (partition) =>
			o.configs?.split(',') ?? (o.full ? GRID : cnnPair ? DEFAULT_CNN : DEFAULT_2NN[partition]);
		const cap = o.rounds ?? (model === 'cnn' ? 700 : 300);
		for (const partition of partitions)
			for (const name of names(partition)) {
				const c = parseConfig(name);
				const lr = c.fedsgd ? LEARNING_RATES[model].fedsgd : LEARNING_RATES[model][c.B];
				runs.push({
					id: `${model}-${partition}-${c.fedsgd ? 'fedsgd' : `E${c.E}-B${c.B === Infinity ? 'inf' : c.B}`}${o.encoding === 'float32' ? '' : `-${o.encoding}`}`,
					group: `${model}/${partition}`,
					model,
					partition,
					...c,
					lr,
					strategy: { name: 'fedavg' },
					stragglers: 0,
					encoding: o.encoding,
					target: targetOf(o, model, partition),
					cap
				});
			}
		// FedProx (Li et al. 2020) against FedAvg: pathological non-IID, half the sampled clients straggle (E' < E).
		if (o.fedprox && model === '2nn' && !o.configs) {
			const E = o.full ? 20 : 5;
			for (const [name, strategy] of [
				['fedavg', { name: 'fedavg' }],
				['fedprox', { name: 'fedprox', mu: o.mu }]
			])
				runs.push({
					id: `${model}-pathological-${name}-stragglers-E${E}-B10`,
					group: `${model}/pathological/stragglers`,
					model,
					partition: 'pathological',
					E,
					B: 10,
					fedsgd: false,
					lr: LEARNING_RATES[model][10],
					strategy,
					stragglers: 0.5,
					encoding: o.encoding,
					target: targetOf(o, model, 'pathological'),
					cap: o.rounds ?? (o.full ? 300 : 20)
				});
		}
	}
	return runs;
}

/**
 * --compare-encodings: the 2NN, IID, one configuration (--configs, default E=1 B=10) for each encoding, the same
 * rounds (--rounds, default 30; no stop at the target), the same seeds for the data and the clients' shuffles.
 * The server samples clients with crypto randomness, so the runs differ in that too.
 */
function compareEncodings(o) {
	const name = o.configs?.split(',')[0] ?? '1x10';
	const c = parseConfig(name);
	const model = o.model === 'cnn' ? 'cnn' : '2nn';
	const partition = o.partition?.split(',')[0] ?? 'iid';
	return ENCODINGS.map((encoding) => ({
		id: `${model}-${partition}-${c.fedsgd ? 'fedsgd' : `E${c.E}-B${c.B === Infinity ? 'inf' : c.B}`}-${encoding}`,
		group: `${model}/${partition}/encodings`,
		model,
		partition,
		...c,
		lr: c.fedsgd ? LEARNING_RATES[model].fedsgd : LEARNING_RATES[model][c.B],
		strategy: { name: 'fedavg' },
		stragglers: 0,
		encoding,
		target: targetOf(o, model, partition),
		cap: o.rounds ?? 30,
		stopAtTarget: false,
		seedIndex: 0
	}));
}
