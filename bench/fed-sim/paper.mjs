// The paper's figures the sim is compared with, only where a source was at hand; every other cell reads
// "not quoted". McMahan et al. 2017 (AISTATS; arXiv:1602.05629), Table 2: rounds to 99% test accuracy for the
// MNIST CNN, IID, C = 0.1 — as quoted in the issue that asked for this sim. The abstract's headline
// ("a reduction in required communication rounds by 10–100× as compared to synchronized stochastic gradient
// descent") is from the paper's abstract (https://arxiv.org/abs/1602.05629).
export const PAPER_SOURCE = 'McMahan et al. 2017, Table 2 (CNN, IID, target 99%), as quoted in the issue';
export const PAPER_HEADLINE = '10–100× fewer rounds than FedSGD (McMahan et al. 2017, abstract)';

const PAPER = {
	'cnn/iid': { target: 0.99, rounds: { fedsgd: 626, E5B10: 20 } }
};

/** { rounds, speedup } for a configuration, or null: not quoted. */
export function paperFigure(model, partition, cfgKey) {
	const p = PAPER[`${model}/${partition}`];
	const rounds = p?.rounds[cfgKey];
	if (!rounds) return null;
	return { rounds, target: p.target, speedup: p.rounds.fedsgd / rounds };
}
