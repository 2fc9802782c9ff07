// One configuration as one federated job on the real Durable Object: every simulated client registers, and each
// round every client asks for its task (the heartbeat that keeps it alive for sampling, and how it learns whether
// it was sampled); the sampled ones pull the round's weights, train (trainLocal) and post their new weights. After
// the update that closes the round (the object averages, exports ONNX and publishes a version within that request)
// the sim pulls the new global weights and scores them on its held-out test set. Stops at the target or the cap.
import { rng } from './mnist-data.mjs';
import { encodeUpdate, trainLocal } from './client-train.mjs';
import { evaluate } from './models.mjs';

/** Runs `fn` over `items`, at most `limit` at a time; answers the results in order. */
async function pool(items, limit, fn) {
	const out = new Array(items.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) {
				const i = next++;
				out[i] = await fn(items[i], i);
			}
		})
	);
	return out;
}

/**
 * cfg: { id, model, partition, E, B, lr, strategy, stragglers (share of sampled clients doing E' < E), target, cap }.
 * ctx: { api, modelName, version, tfModel, train, test, parts, clientsPerRound fraction C, seed, log }.
 */
export async function runJob(cfg, ctx) {
	const { api, tfModel, train, test, parts, log } = ctx;
	const K = parts.length;
	const random = rng(ctx.seed);
	const job = await api.createJob({
		modelName: ctx.modelName,
		version: ctx.version,
		rounds: cfg.cap,
		fractionFit: ctx.fraction,
		minFitClients: 1,
		minAvailableClients: K,
		// No deadline in practice: a round closes when its last sampled client has sent (the sim never drops one).
		roundDeadlineS: 86_400,
		retries: 0,
		localEpochs: cfg.E,
		batchSize: Number.isFinite(cfg.B) ? cfg.B : 65_536,
		learningRate: cfg.lr,
		strategy: cfg.strategy,
		...(cfg.encoding && cfg.encoding !== 'float32' ? { updateEncoding: cfg.encoding } : {})
	});
	// Each simulated browser joins with a participation token of its own (the registry limits a token to 1,200
	// requests a minute; one token for 100 clients polling every round would hit it within a minute).
	const clients = await pool([...Array(K).keys()], 8, async (k) => {
		const own = ctx.connect(await api.participationToken(job.id, `fed-sim client ${k}`));
		return { ...(await own.register(job.id)), k, api: own };
	});
	const history = [];
	const started = performance.now();
	let reached = null;
	let stoppedBy = 'cap';
	// Every client asks what to do (10 at a time: 100 at once made wrangler dev drop or never answer some);
	// only the sampled ones are told to train this round.
	// Awaited a round later: marked handled now, or a failure meanwhile would be an unhandled rejection (which the
	// wasm backend's handler turns into exit 7, ending the whole run instead of this configuration).
	const pollAll = () => {
		const p = pool(clients, 10, (c) => c.api.task(c));
		p.catch(() => undefined);
		return p;
	};
	// Error feedback: what each client's quantisation left out last time, added to its next update (float16/int8).
	const residuals = new Map();
	let t0 = performance.now();
	let polls = pollAll();
	try {
		for (let round = 1; round <= cfg.cap; round++) {
			let tasks = await polls;
			let sampled = clients.filter((_, i) => tasks[i].kind === 'train' && tasks[i].round === round);
			// A round longer than the object's ALIVE_MS (120 s: the CNN's E=5 on 2 busy cores) leaves the clients
			// that were not sampled without a heartbeat since they last asked, so the closing update finds too few
			// alive and the job waits; it opens the round on the poll that brings the last of them back, after most
			// were told to wait. A browser asks again after retryAfterS; so does the sim, a few times.
			// (The first poll after such a round tells at most the last client to train: ask until none is waiting.)
			const opening = () => !sampled.length || tasks.some((t) => t.state === 'waiting');
			for (let again = 0; opening() && again < 5; again++) {
				await new Promise((r) => setTimeout(r, 1000));
				tasks = await pollAll();
				sampled = clients.filter((_, i) => tasks[i].kind === 'train' && tasks[i].round === round);
			}
			if (!sampled.length) {
				const v = await api.view(job.id);
				throw new Error(
					`round ${round}: no client was told to train; job ${job.id} is ${v.state} (${v.error ?? 'no error'})`
				);
			}
			const tPolled = performance.now();
			// Small models: the sampled clients pull the round's weights at once, each trains in turn and sends without
			// waiting, so the object takes one update while the next client trains. Large ones (the CNN's 6.7 MB) go one
			// at a time: while this process trains it cannot stream a body, and a half-sent request may be dropped.
			const overlap = ctx.parameters * 4 <= 1_000_000;
			const pull = (c) => c.api.weights(c, round);
			const pulls = overlap ? sampled.map(pull) : [];
			pulls.forEach((p) => p.catch(() => undefined)); // awaited below; no unhandled rejection meanwhile
			const posts = [];
			let trainMs = 0;
			let bytesUp = 0;
			let stragglers = 0;
			let heartbeat = performance.now();
			for (const [i, c] of sampled.entries()) {
				// Browsers ask every retryAfterS (2 s) while they wait; the sim, blocked while it trains, lets the
				// clients that were not sampled ask between two trainings once a minute, within the object's 120 s.
				if (performance.now() - heartbeat > 60_000) {
					await pool(
						clients.filter((x) => !sampled.includes(x)),
						10,
						(x) => x.api.task(x)
					);
					heartbeat = performance.now();
				}
				const task = tasks[clients.indexOf(c)];
				const global = await (overlap ? pulls[i] : pull(c));
				const straggler = cfg.stragglers > 0 && task.localEpochs > 1 && random() < cfg.stragglers;
				// The FedProx paper's stragglers: a random number of local epochs in [1, E).
				const epochs = straggler ? 1 + Math.floor(random() * (task.localEpochs - 1)) : task.localEpochs;
				if (straggler) stragglers++;
				const tt = performance.now();
				const out = trainLocal(tfModel, {
					global,
					data: train,
					rows: parts[c.k],
					epochs,
					batchSize: task.batchSize,
					learningRate: task.learningRate,
					mu: task.mu,
					random
				});
				trainMs += performance.now() - tt;
				const encoding = task.encoding ?? 'float32';
				const encoded = encodeUpdate(out.weights, global, encoding, ctx.quantize, residuals.get(c.k));
				if (encoded.residual) residuals.set(c.k, encoded.residual);
				const body = encoded.bytes;
				bytesUp += body.byteLength;
				const meta = {
					round,
					numExamples: parts[c.k].length,
					...(encoding === 'float32' ? {} : { encoding }),
					...(Number.isFinite(out.trainLoss) ? { trainLoss: out.trainLoss } : {})
				};
				const sent = performance.now();
				const post = c.api.update(c, body, meta).then(() => performance.now() - sent);
				post.catch(() => undefined);
				posts.push(post);
				if (!overlap) await post;
			}
			const tTrained = performance.now();
			const postMs = await Promise.all(posts);
			const tClosed = performance.now();
			// The next round is open already (the closing update sampled it): its polls go out while this one is scored.
			const last = round === cfg.cap || performance.now() > cfg.deadline;
			const tNext = performance.now();
			if (!last) polls = pollAll();
			const global = await clients[0].api.weights(clients[0], null);
			const { accuracy, loss } = evaluate(tfModel, global, test);
			const evalMs = performance.now() - tClosed;
			history.push({
				round,
				accuracy,
				loss,
				sampled: sampled.length,
				stragglers,
				ms: tNext - t0,
				pollMs: tPolled - t0,
				trainMs,
				// From the last client's training to the round's close: the updates still queued, then the closing one
				// (the object averages, exports ONNX and publishes the version inside that request).
				closeMs: overlap ? tClosed - tTrained : postMs.at(-1),
				lastPostMs: Math.max(...postMs),
				evalMs,
				bytesUp
			});
			t0 = tNext;
			log(cfg, history.at(-1));
			if (accuracy >= cfg.target && reached === null) {
				reached = round;
				// --compare-encodings runs every encoding the same number of rounds, past the target.
				if (cfg.stopAtTarget !== false) {
					stoppedBy = 'target';
					break;
				}
			}
			if (last) {
				stoppedBy = round === cfg.cap ? 'cap' : 'time';
				break;
			}
		}
	} catch (err) {
		// main.mjs reports the configuration as failed with the rounds it did finish.
		err.history = history;
		await polls.catch(() => undefined);
		throw err;
	}
	if (stoppedBy === 'target' || stoppedBy === 'time') await polls.catch(() => undefined);
	const view = await api.view(job.id);
	for (const h of history) h.version = view.history.find((v) => v.round === h.round)?.version ?? null;
	const published = await checkPublished(api, ctx.modelName, history[0].version);
	return { jobId: job.id, reached, stoppedBy, history, published, wallMs: performance.now() - started };
}

/** Round 1's version: the object exported ONNX and registered it (what the edge would serve). */
async function checkPublished(api, modelName, version) {
	const v = await api.version(modelName, version);
	const onnx = v.signature?.onnx ?? null;
	if (!v.artifactSha256 || !onnx)
		throw new Error(`round 1's version ${version} has no ONNX artifact: ${JSON.stringify(v).slice(0, 400)}`);
	return { version, artifactSha256: v.artifactSha256, onnx };
}
