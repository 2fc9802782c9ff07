import { transfer, type Remote } from 'comlink';
import type { DataApi } from '$lib/data/data.worker';
import type { TrainApi } from './engine/train.worker';
import type { FrameRef } from './engine/prepared';

export type PipeResult =
	{ ok: true; ref: FrameRef } | { ok: false; error: { name: string; message: string } };

/**
 * A table from the data worker to the train worker over a MessageChannel of their own: the columns are
 * transferred worker to worker and the page only ever holds the handle (docs/architecture.md, "The training
 * session"). The data worker posts before it answers, so by the time the train worker listens the message waits
 * in its port; a table that cannot be read answers its error here and the port is dropped.
 */
export async function pipeFrame(
	data: Remote<DataApi>,
	train: Remote<TrainApi>,
	req: { table: string; columns: string[] | null }
): Promise<PipeResult> {
	const { port1, port2 } = new MessageChannel();
	const sent = await data.frameTo(req, transfer(port1, [port1]));
	if (!sent.ok) {
		port2.close();
		return sent;
	}
	const got = await train.receiveFrame(transfer(port2, [port2]));
	if (!got.ok) return got;
	const { ok: _ok, ...ref } = got;
	return { ok: true, ref };
}
