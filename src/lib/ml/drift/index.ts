/**
 * Drift statistics of the monitoring issue, as pure functions: each follows SciPy's definition (scipy 1.17) and
 * Evidently's stattest around it (evidently/legacy/calculations/stattests), so a profile computed here gives the
 * numbers Evidently would on the same rows.
 *   KS two-sample (exact / asymptotic as ks_2samp 'auto'): ks.ts, with the Kolmogorov distribution in kolmogorov.ts
 *   Wasserstein-1 and Evidently's normed form:      wasserstein.ts
 *   Jensen–Shannon distance and Evidently's test:   jensen-shannon.ts     PSI: psi.ts
 *   chi-square (scipy.stats.chisquare, Evidently):  chi-square.ts         two-proportion Z-test: z-test.ts
 *   Evidently's binning (get_binned_data):          binning.ts            gamma / erfc / normal CDF: special.ts
 *   default test choice, thresholds, dataset drift: select.ts
 */
export * from './errors';
export * from './special';
export * from './kolmogorov';
export * from './ks';
export * from './wasserstein';
export * from './binning';
export * from './columns';
export * from './jensen-shannon';
export * from './psi';
export * from './chi-square';
export * from './z-test';
export * from './select';
