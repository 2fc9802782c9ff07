import { createTrainer, type TrainerDeps } from './trainer';
import { createEvaluator } from './evaluate';
import { createPredictor } from './predict-cell';
import { createOnnxEvaluator } from './onnx-cell';

let current: { deps: TrainerDeps; api: ReturnType<typeof build> } | null = null;

function build(deps: TrainerDeps) {
	const trainer = createTrainer(deps);
	return {
		train: trainer.train,
		cancel: trainer.cancel,
		evaluate: createEvaluator(deps),
		predict: createPredictor(deps),
		onnx: createOnnxEvaluator(deps)
	};
}

/** One trainer per open notebook; the entry point the notebook page loads lazily. */
export function session(deps: TrainerDeps) {
	if (current?.deps !== deps) current = { deps, api: build(deps) };
	return current.api;
}
