// Seeded randomness, so a test that fixes the seed sees the same request sequence every run.

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast, and good enough for load generation (not for cryptography). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit seed per stream name, so each service draws from its own sequence. */
export function deriveSeed(seed: number, stream: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Standard normal draw (Box–Muller). */
export function standardNormal(random: Random): number {
  const u = 1 - random(); // (0, 1], keeps log finite
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** z for the 99th percentile of the standard normal. */
const Z_99 = 2.3263478740408408;

/**
 * Lognormal latency given its median and 99th percentile (the two numbers people know about a
 * service): mu = ln(median), sigma = (ln(p99) - mu) / z(0.99).
 */
export function lognormalMs(random: Random, medianMs: number, p99Ms: number): number {
  const mu = Math.log(medianMs);
  const sigma = Math.max(0, (Math.log(p99Ms) - mu) / Z_99);
  return Math.exp(mu + sigma * standardNormal(random));
}
