import type { Random } from "../../../src/util/clock";

/** z such that P(Z <= z) = 0.99 for a standard normal Z. */
const Z99 = 2.3263478740408408;

/** A standard normal draw from two uniform draws (Box–Muller). */
export function normalDraw(random: Random): number {
  // 1 - u keeps the argument of log in (0, 1] when random() returns 0.
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A sampler of a lognormal distribution fitted to a median and a 99th percentile:
 * mu = ln(median), sigma = ln(p99 / median) / z(0.99).
 */
export function lognormalSampler(latency: { median: number; p99: number }, random: Random): () => number {
  const mu = Math.log(latency.median);
  const sigma = latency.p99 > latency.median ? Math.log(latency.p99 / latency.median) / Z99 : 0;
  return () => Math.exp(mu + sigma * normalDraw(random));
}
