import { getModel, listModels } from './models';

/** A registered model version a predict cell can score with: what the picker shows and the run it came from. */
export interface VersionChoice {
	label: string;
	runId: string;
}

/** Every local version (`name vN`) and alias (`name@alias`), each resolved to its source run now. */
export async function versionChoices(): Promise<VersionChoice[]> {
	const out: VersionChoice[] = [];
	for (const m of await listModels()) {
		const detail = await getModel(m.name);
		if (!detail) continue;
		// A version without a source run in this browser has no TF.js model to score with here.
		for (const [alias, v] of Object.entries(detail.aliasVersions))
			if (v.sourceRunId) out.push({ label: `${m.name}@${alias}`, runId: v.sourceRunId });
		for (const v of detail.versions)
			if (v.sourceRunId) out.push({ label: `${m.name} v${v.version ?? '(unsynced)'}`, runId: v.sourceRunId });
	}
	return out;
}
