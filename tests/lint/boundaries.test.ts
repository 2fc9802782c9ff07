import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The import rules of docs/architecture.md ("Folders and who may import what") are an eslint rule; these cases
 * check that the rule refuses what it must and lets through what the tree relies on, so a config edit that
 * silently drops it fails here rather than in review.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, code: string): Promise<string[]> {
	const [result] = await eslint.lintText(code, { filePath });
	return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
	// The first lint loads the config and its plugins (seconds on a busy 2-core machine): not any one case's time.
	beforeAll(() => restricted('src/lib/ml/x.ts', 'export {};\n'), 60_000);

	it.each([
		['workers/routes/x.ts', "import { trainApi } from '../../src/lib/train/client';"],
		['workers/x.ts', "import { db } from '../src/lib/tracking/db';"],
		['workers/inference/x.ts', "import { rows } from '../../src/lib/data/rows';"],
		['src/lib/ml/x.ts', "import type { Notebook } from '$lib/notebook/schema';"],
		['src/lib/ml/x.ts', "import { trainApi } from '../train/client';"],
		['src/lib/ml/x.ts', "import * as tf from '@tensorflow/tfjs-core';"],
		['src/lib/ml/x.ts', "import Dexie from 'dexie';"],
		['src/lib/ml/x.ts', "import { Hono } from 'hono';"],
		['src/lib/contract/x.ts', "import { split } from '../ml/split';"],
		['workers/inference/x.ts', "import type { Context } from 'hono';"],
		['workers/registry/x.ts', "import { HTTPException } from 'hono/http-exception';"],
		['workers/registry/x.ts', "import { trainApi } from '../../src/lib/train/client';"],
		['src/lib/train/engine/x.ts', "import type { TrainConfig } from '$lib/notebook/schema';"],
		['src/lib/train/engine/x.ts', "import { dataApi } from '../../data/client';"],
		['src/lib/train/engine/x.ts', "import { pipeFrame } from '../frame-pipe';"],
		['src/lib/train/engine/x.ts', "import Dexie from 'dexie';"]
	])('%s may not import: %s', async (file, code) => {
		expect(await restricted(file, `${code}\nexport {};\n`)).toHaveLength(1);
	});

	it.each([
		['workers/x.ts', "import { newId } from '../src/lib/contract';"],
		['workers/inference/x.ts', "import { encode } from '../../src/lib/ml/preprocess';"],
		['workers/inference/x.ts', "import { toOnnx } from '../../src/lib/onnx/export';"],
		['src/lib/ml/x.ts', "import { preprocessingSchema } from '../contract/preprocessing';"],
		['src/lib/ml/x.ts', "import { mulberry32 } from './random';"],
		['src/lib/train/x.ts', "import { split } from '$lib/ml/split';"],
		['workers/routes/v1/x.ts', "import { Hono } from 'hono';"],
		['src/lib/train/engine/x.ts', "import { encode } from '../../ml/preprocess';"],
		['src/lib/train/engine/x.ts', "import { fit } from './fit';"],
		['src/lib/train/engine/x.ts', "import * as tf from '@tensorflow/tfjs-core';"]
	])('%s may import: %s', async (file, code) => {
		expect(await restricted(file, `${code}\nexport {};\n`)).toEqual([]);
	});
});
