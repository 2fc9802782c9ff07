/**
 * Mergeable data profiles for model monitoring ("profiles, never rows"): a reference profile per model version from
 * its training split, and production windows built one prediction at a time, compared from the profiles alone.
 *   KLL quantile sketch (DataSketches' layout and error):  kll-sketch.ts   fixed histogram bins: bin-edges.ts
 *   numeric / categorical feature profiles:                numeric-profile.ts, categorical-profile.ts
 *   dataset profile, reference and window builders, JSON:  dataset-profile.ts
 *   KS from two sketches, calibrated for their error:      sketch-ks.ts
 *   counts and weighted points for src/lib/ml/drift:       drift-inputs.ts
 */
export * from './errors';
export * from './kll-sketch';
export * from './bin-edges';
export * from './numeric-profile';
export * from './categorical-profile';
export * from './dataset-profile';
export * from './sketch-ks';
export * from './drift-inputs';
