import { describe, expect, it } from 'vitest';
import { aliasSchema, keySchema, modelNameSchema } from '$lib/contract';

// Names that reach object keys, URLs and D1 on both sides: each refusal names the rule it broke.
describe('contract names', () => {
	it.each([
		['', /empty/],
		['/leading', /start or end/],
		['a//b', /empty, "." or ".."/],
		['a/../b', /empty, "." or ".."/],
		['semi;colon', /letters, digits/],
		['__proto__', /reserved/]
	])('key %j is refused (%s)', (key, rule) => {
		const r = keySchema.safeParse(key);
		expect(r.success).toBe(false);
		expect(r.error?.issues[0].message).toMatch(rule);
	});

	it.each(['lr', 'val/loss', 'edgebook.backend', 'learning rate', 'größe'])('key %j is accepted', (key) => {
		expect(keySchema.safeParse(key).success).toBe(true);
	});

	it.each([
		['latest', /latest/],
		['V3', /version/],
		['has space', /letters, digits/],
		['__proto__', /reserved/],
		['', /./]
	])('alias %j is refused (%s)', (alias, rule) => {
		const r = aliasSchema.safeParse(alias);
		expect(r.success).toBe(false);
		expect(r.error?.issues[0].message).toMatch(rule);
	});

	it.each(['champion', 'challenger', 'prod-eu_2', 'toString'])('alias %j is accepted', (alias) => {
		expect(aliasSchema.safeParse(alias).success).toBe(true);
	});

	it.each(['../escape', 'a/b', '_hidden', ' '])('model name %j is refused', (name) => {
		expect(modelNameSchema.safeParse(name).success).toBe(false);
	});
});
