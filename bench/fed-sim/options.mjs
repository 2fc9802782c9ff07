// fed:sim's command line and the configurations it runs (McMahan et al. 2017's grid; FedProx with stragglers).
const FLAGS = {
	model: 'both', // 2nn | cnn | both (2NN grid + the reduced CNN run)
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
	encoding: 'float32',
	// Minutes for all configurations together (the default run: 12, to finish within 15 with the server's start; --full: none). Each configuration gets its share
	// of what is left (FedSGD 3 shares: it needs the most rounds); one that runs out stops and says so.
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
	o.budget ??= o.full ? Infinity : 12;
	if (o.encoding !== 'float32')
		throw new Error('--encoding: only float32 for now (float16/int8 are being added to the server)');
	return o;
}

/** Learning rates, chosen once per model and batch size (plain SGD, no decay); FedSGD is E=1, B=∞. */
export const LEARNING_RATES = {
	'2nn': { fedsgd: 0.5, 10: 0.1, 50: 0.2, Infinity: 0.5 },
	cnn: { fedsgd: 0.2, 10: 0.05, 50: 0.1, Infinity: 0.2 }
};
export const TARGETS = { '2nn': 0.93, cnn: 0.97 };

const parseConfig = (s) => {
	if (s === 'fedsgd') return { E: 1, B: Infinity, fedsgd: true };
	const m = /^(\d+)x(\d+|inf)$/i.exec(s);
	if (!m) throw new Error(`--configs: ${s} is not fedsgd or ExB (e.g. 5x10, 1xinf)`);
	const B = m[2].toLowerCase() === 'inf' ? Infinity : Number(m[2]);
	return { E: Number(m[1]), B, fedsgd: Number(m[1]) === 1 && B === Infinity };
};

/** The paper's Table 2 grid (E, B), FedSGD last (it takes what time the others leave); the default run's is smaller. */
const GRID = ['5xinf', '1x50', '20xinf', '1x10', '5x50', '20x50', '5x10', '20x10', 'fedsgd'];
const DEFAULT_2NN = ['1x10', '5x10', '20x10', 'fedsgd'];
const DEFAULT_CNN = ['1x10'];

export function plan(o) {
	const models = o.model === 'both' ? ['2nn', 'cnn'] : [o.model];
	const runs = [];
	for (const model of models) {
		const reduced = model === 'cnn' && !o.full;
		const partitions = (o.partition ?? (reduced ? 'iid' : 'iid,pathological')).split(',');
		const names = o.configs?.split(',') ?? (o.full ? GRID : reduced ? DEFAULT_CNN : DEFAULT_2NN);
		const cap = o.rounds ?? (reduced ? 2 : model === 'cnn' ? 700 : 300);
		for (const partition of partitions)
			for (const name of names) {
				const c = parseConfig(name);
				const lr = c.fedsgd ? LEARNING_RATES[model].fedsgd : LEARNING_RATES[model][c.B];
				runs.push({
					id: `${model}-${partition}-${c.fedsgd ? 'fedsgd' : `E${c.E}-B${c.B === Infinity ? 'inf' : c.B}`}`,
					group: `${model}/${partition}`,
					model,
					partition,
					...c,
					lr,
					strategy: { name: 'fedavg' },
					stragglers: 0,
					target: o.target ?? TARGETS[model],
					cap,
					reduced
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
					target: o.target ?? TARGETS[model],
					cap: o.rounds ?? (o.full ? 300 : 12),
					reduced: !o.full
				});
		}
	}
	return runs;
}
