/**
 * Federated aggregation and central differential privacy over flat Float32Array weights (every layer
 * concatenated). A client update is Flower's FitRes: its full new weights and its example count.
 *   streaming FedAvg: accumulator.ts        server optimisers (FedAvgM, FedAdam, FedYogi, FedAdagrad): server-optimizers.ts
 *   robust (trimmed mean, median, Krum):    robust.ts
 *   clipping (fixed, adaptive):             clipping.ts        Gaussian noise, central DP: noise.ts
 *   RDP accountant:                         rdp-accountant.ts  FedProx's client term: fedprox.ts
 *   compressed updates (float16, int8, error feedback): quantize.ts   local DP in the client: local-dp.ts
 */
export * from './errors';
export * from './accumulator';
export * from './server-optimizers';
export * from './robust';
export * from './clipping';
export * from './noise';
export * from './rdp-accountant';
export * from './fedprox';
export * from './quantize';
export * from './local-dp';
