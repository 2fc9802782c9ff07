/**
 * Limits shared by the registry and its clients. The per-request counts and key/value lengths are MLflow's
 * (log-batch: 1000 metrics, 100 params, 100 tags), so a run accepted here is accepted by MLflow tooling too.
 */
export const LIMITS = {
	metricsPerBatch: 1000,
	paramsPerBatch: 100,
	tagsPerBatch: 100,
	keyLength: 250,
	paramValueLength: 6000,
	tagValueLength: 8000,
	nameLength: 500,
	descriptionLength: 5000,
	/** A JSON request body. A full log-batch of long values stays well under it. */
	jsonBodyBytes: 1024 * 1024,
	/** How deeply a JSON request body may nest; deeper is refused before it is parsed (400). */
	jsonDepth: 64,
	/** How deeply a stored JSON value (a model version's signature) may nest. */
	signatureDepth: 32,
	/** One artifact upload: model weights and reports, not datasets (data stays in the browser). */
	artifactBytes: 64 * 1024 * 1024,
	/**
	 * A batch scoring job's input file (CSV or Parquet), read in chunks by the job's Durable Object: Cloudflare's
	 * request body limit on Free and Pro plans (wrangler dev closes larger uploads). Larger tables: Parquet, or split.
	 */
	batchInputBytes: 100 * 1024 * 1024,
	/** Mutations in one sync push, and changes in one pull page. */
	mutationsPerPush: 200,
	changesPerPull: 500,
	/** Rows in one predict request: a batch a caller scores at once; larger jobs page through it. */
	predictRows: 1000,
	/** A predict body: 1000 wide rows of raw values need more than an ordinary JSON body. */
	predictBodyBytes: 4 * 1024 * 1024,
	/**
	 * Search requests (MLflow's runs/experiments/models/versions search): the filter's length, its AND-ed clauses,
	 * the values of one IN list and the order_by keys. They bound one request's work (each clause is a join in
	 * SQL, each IN value a comparison); MLflow publishes no such limits, these are far above real filters.
	 */
	searchFilterLength: 4000,
	searchClauses: 20,
	searchInValues: 100,
	searchOrderKeys: 5,
	/** A LIKE/ILIKE pattern, in UTF-8 bytes: D1's own limit for LIKE and GLOB patterns. */
	likePatternBytes: 50,
	/** Requests per token per minute: one bucket per token across every isolate (a Durable Object). */
	requestsPerMinute: 1200
} as const;
