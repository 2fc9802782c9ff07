// The HTTP contract between the browser and the registry Worker: zod schemas used on both sides.
export * from './limits';
export * from './json-depth';
export * from './errors';
export * from './scopes';
export * from './records';
export * from './ids';
export * from './mutations';
export * from './sync';
export * from './predict';
export * from './scoring';
export * from './prediction-log';
export * from './traffic';
export * from './preprocessing';
export * from './workspaces';
export * from './batch';
export * from './federated';
export * from './feedback';
