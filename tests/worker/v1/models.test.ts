import { describe, expect, it } from 'vitest';
import type { ErrorJson } from '../helpers';
import { api, ok, seed } from './fixtures';

describe('/api/v1/models', () => {
	it('creates (409 when it exists), lists, reads with versions, updates and deletes', async () => {
		const m = await ok('/api/v1/models', {
			method: 'POST',
			json: { name: 'My Model', description: 'd' },
			status: 201
		});
		expect(m).toMatchObject({ name: 'My Model', description: 'd', latestVersion: 0, aliases: {}, tags: {} });
		const dup = await api('/api/v1/models', { method: 'POST', json: { name: 'My Model' } });
		expect(dup.status).toBe(409);
		expect((await dup.json<ErrorJson>()).error.message).toMatch(/already exists/);
		expect((await ok<{ models: { name: string }[] }>('/api/v1/models')).models.map((x) => x.name)).toEqual([
			'My Model'
		]);
		expect(
			await ok('/api/v1/models/My%20Model', { method: 'PATCH', json: { description: 'e' } })
		).toMatchObject({ description: 'e' });
		expect(await ok('/api/v1/models/My%20Model')).toMatchObject({ versions: [] });
		await ok('/api/v1/models/My%20Model', { method: 'DELETE' });
		await ok('/api/v1/models/My%20Model', { status: 404 });
		await ok('/api/v1/models/My%20Model', { method: 'DELETE', status: 404 });
	});

	it('versions are numbered by the registry; tags, aliases and lineage', async () => {
		const s = await seed();
		const v2 = await ok<{ version: number }>(`/api/v1/models/${s.model}/versions`, {
			method: 'POST',
			json: { description: 'second', signature: { inputs: [] } },
			status: 201
		});
		expect(v2).toMatchObject({
			version: 2,
			sourceRunId: null,
			signature: { inputs: [] },
			description: 'second'
		});
		expect(await ok(`/api/v1/models/${s.model}/versions/1`)).toMatchObject({
			sourceRunId: 'run_1',
			artifactSha256: s.sha,
			tags: { stage: 'a' }
		});
		expect(
			await ok(`/api/v1/models/${s.model}/versions/2`, { method: 'PATCH', json: { description: 'x' } })
		).toMatchObject({ description: 'x' });
		expect(
			await ok(`/api/v1/models/${s.model}/versions/2/tags/ci/passed`, {
				method: 'PUT',
				json: { value: 'yes' }
			})
		).toMatchObject({ tags: { 'ci/passed': 'yes' } });
		expect(
			await ok(`/api/v1/models/${s.model}/versions/2/tags/ci/passed`, { method: 'DELETE' })
		).toMatchObject({ tags: {} });
		await ok(`/api/v1/models/${s.model}/versions/2/tags/ci/passed`, { method: 'DELETE', status: 404 });

		expect(await ok(`/api/v1/models/${s.model}/aliases/champion`)).toMatchObject({ version: 1 });
		await ok(`/api/v1/models/${s.model}/aliases/champion`, { method: 'PUT', json: { version: 2 } });
		expect(await ok(`/api/v1/models/${s.model}`)).toMatchObject({
			aliases: { champion: 2 },
			latestVersion: 2,
			tags: { team: 'ml' }
		});
		await ok(`/api/v1/models/${s.model}/aliases/champion`, {
			method: 'PUT',
			json: { version: 9 },
			status: 404
		});
		await ok(`/api/v1/models/${s.model}/aliases/latest`, {
			method: 'PUT',
			json: { version: 1 },
			status: 400
		});
		await ok(`/api/v1/models/${s.model}/aliases/champion`, { method: 'DELETE' });
		await ok(`/api/v1/models/${s.model}/aliases/champion`, { method: 'DELETE', status: 404 });
		await ok(`/api/v1/models/${s.model}/aliases/champion`, { status: 404 });
		await ok(`/api/v1/models/${s.model}/tags/team`, { method: 'DELETE' });
		await ok(`/api/v1/models/${s.model}/tags/team`, { method: 'DELETE', status: 404 });

		const lineage = await ok<Record<string, unknown>>(`/api/v1/models/${s.model}/versions/1/lineage`);
		expect(lineage).toMatchObject({
			run: { id: 'run_1' },
			dataFingerprint: null,
			configHash: null,
			environment: null
		});
		expect((lineage.artifacts as unknown[]).length).toBe(1);

		for (const v of ['0', '1.5', 'x', '-1'])
			await ok(`/api/v1/models/${s.model}/versions/${v}`, { status: 400 });
		await ok(`/api/v1/models/${s.model}/versions/7`, { status: 404 });
		await ok(`/api/v1/models/none/versions`, { method: 'POST', json: {}, status: 404 });
		await ok(`/api/v1/models/${s.model}/versions`, {
			method: 'POST',
			json: { sourceRunId: 'ghost' },
			status: 404
		});
		await ok(`/api/v1/models/${s.model}/versions/2`, { method: 'DELETE' });
		await ok(`/api/v1/models/${s.model}/versions/2`, { status: 404 });
	});

	it("lineage carries the run's data fingerprint, config hash and environment", async () => {
		const lineage = {
			dataFingerprint: {
				query: 'select 1',
				sources: [{ name: 'a.csv', sha256: 'ab' }],
				rowCount: 3,
				schema: [{ name: 'x', type: 'DOUBLE' }]
			},
			configHash: 'cfg',
			seed: 7,
			environment: {
				backend: 'webgl',
				backendReason: 'fast',
				adapter: null,
				userAgent: 'ua',
				libraries: { tfjs: '4' }
			}
		};
		const exp = await ok<{ id: string }>('/api/v1/experiments', {
			method: 'POST',
			json: { name: 'lin' },
			status: 201
		});
		await ok('/api/v1/runs', {
			method: 'POST',
			json: { id: 'lr', experimentId: exp.id, lineage },
			status: 201
		});
		await ok('/api/v1/models', { method: 'POST', json: { name: 'lm' }, status: 201 });
		await ok('/api/v1/models/lm/versions', { method: 'POST', json: { sourceRunId: 'lr' }, status: 201 });
		expect(await ok('/api/v1/models/lm/versions/1/lineage')).toMatchObject({
			dataFingerprint: lineage.dataFingerprint,
			configHash: 'cfg',
			environment: lineage.environment,
			artifacts: []
		});
	});
});
