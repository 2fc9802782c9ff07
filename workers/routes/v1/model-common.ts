import { z } from 'zod';
import { modelNameSchema } from '../../../src/lib/contract';
import { getModel, getModelVersion, type ModelVersionRecord } from '../../registry/read-models';
import { notFound, param, ws, type Ctx } from './common';

/** Path parameters and lookups the model routes share. */

/** A version number in a path: a positive integer as digits, nothing else (`1.5`, `01x`, `-1` are 400). */
export const versionParam = z
	.string()
	.regex(/^[1-9]\d{0,8}$/, 'a version is a positive whole number')
	.transform(Number);

export const modelName = (c: Ctx) => param(c, 'name', modelNameSchema);

export async function mustGetModel(c: Ctx, name: string) {
	const model = await getModel(c.env.DB, ws(c), name);
	if (!model) throw notFound(`No registered model named "${name}".`, { modelName: name });
	return model;
}

export async function mustGetVersion(c: Ctx, name: string, version: number): Promise<ModelVersionRecord> {
	const v = await getModelVersion(c.env.DB, ws(c), name, version);
	if (!v) {
		await mustGetModel(c, name);
		throw notFound(`The registered model "${name}" has no version ${version}.`, { modelName: name, version });
	}
	return v;
}
