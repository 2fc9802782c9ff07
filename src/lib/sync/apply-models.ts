import type { MutationOf, VersionRef } from '$lib/contract';
import type { LocalModelVersion } from '$lib/tracking/sync-schema';
import type { ApplyContext } from './apply-runs';

/** Remote registry changes applied to the local models and versions, inside the pull's transaction. */

type ModelMutation = MutationOf<
	| 'model.create'
	| 'model.update'
	| 'model.rename'
	| 'model.delete'
	| 'model.tag.set'
	| 'model.tag.delete'
	| 'model.version.create'
	| 'model.version.update'
	| 'model.version.delete'
	| 'model.version.tag.set'
	| 'model.version.tag.delete'
	| 'model.alias.set'
	| 'model.alias.delete'
>;

async function findVersion(c: ApplyContext, model: string, ref: VersionRef) {
	if ('versionId' in ref) return c.d.modelVersions.get(ref.versionId);
	return c.d.modelVersions.where('[modelName+version]').equals([model, ref.version]).first();
}

export async function applyModel(c: ApplyContext, m: ModelMutation): Promise<void> {
	const { d } = c;
	const now = c.change.at;
	if (m.type === 'model.create') {
		if (!(await d.models.get(m.name)))
			await d.models.add({
				name: m.name,
				description: m.description ?? '',
				createdAt: now,
				updatedAt: now,
				tags: Object.fromEntries((m.tags ?? []).map((t) => [t.key, t.value])),
				aliases: {}
			});
		return;
	}
	const name = 'modelName' in m ? m.modelName : m.name;
	const model = await d.models.get(name);
	if (!model) return;
	switch (m.type) {
		case 'model.update':
			if (!c.pending.has(`model:${name}:description`))
				await d.models.update(name, { description: m.description, updatedAt: now });
			return;
		case 'model.rename': {
			if (await d.models.get(m.newName)) return;
			await d.models.delete(name);
			await d.models.add({ ...model, name: m.newName, updatedAt: now });
			await d.modelVersions.where('modelName').equals(name).modify({ modelName: m.newName });
			return;
		}
		case 'model.delete':
			await d.modelVersions.where('modelName').equals(name).delete();
			await d.models.delete(name);
			return;
		case 'model.tag.set':
			await d.models.update(name, { tags: { ...model.tags, [m.key]: m.value }, updatedAt: now });
			return;
		case 'model.tag.delete': {
			const tags = { ...model.tags };
			delete tags[m.key];
			await d.models.update(name, { tags, updatedAt: now });
			return;
		}
		case 'model.version.create': {
			const version = typeof c.change.result?.version === 'number' ? c.change.result.version : null;
			const known = await d.modelVersions.get(m.id);
			if (known) {
				if (version !== null) await d.modelVersions.update(m.id, { version });
				return;
			}
			const v: LocalModelVersion = {
				id: m.id,
				modelName: name,
				version,
				sourceRunId: m.sourceRunId,
				artifactSha256: m.artifactSha256,
				signature: m.signature,
				description: m.description ?? '',
				createdAt: now,
				tags: Object.fromEntries((m.tags ?? []).map((t) => [t.key, t.value]))
			};
			await d.modelVersions.add(v);
			await d.models.update(name, { updatedAt: now });
			return;
		}
		case 'model.alias.delete': {
			if (c.pending.has(`alias:${name}:${m.alias}`)) return;
			const aliases = { ...model.aliases };
			delete aliases[m.alias];
			await d.models.update(name, { aliases, updatedAt: now });
			return;
		}
	}
	const v = await findVersion(c, name, m.ref);
	if (!v) return;
	switch (m.type) {
		case 'model.version.update':
			await d.modelVersions.update(v.id, { description: m.description });
			return;
		case 'model.version.delete': {
			await d.modelVersions.delete(v.id);
			const aliases = Object.fromEntries(Object.entries(model.aliases).filter(([, id]) => id !== v.id));
			await d.models.update(name, { aliases, updatedAt: now });
			return;
		}
		case 'model.version.tag.set':
			await d.modelVersions.update(v.id, { tags: { ...v.tags, [m.key]: m.value } });
			return;
		case 'model.version.tag.delete': {
			const tags = { ...v.tags };
			delete tags[m.key];
			await d.modelVersions.update(v.id, { tags });
			return;
		}
		case 'model.alias.set':
			if (!c.pending.has(`alias:${name}:${m.alias}`))
				await d.models.update(name, { aliases: { ...model.aliases, [m.alias]: v.id }, updatedAt: now });
			return;
	}
}
