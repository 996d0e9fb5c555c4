// Order statistics and interleaved timing shared by the benchmarks, kept free of the mesh so the
// pure benchmarks (plan, simulator, judgement) can use them without starting anything.

/** The q-quantile by the nearest-rank method (the smallest value with at least q of the values at or below it). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

/** The median; the mean of the two middle values for an even count. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds one call of `work` takes. */
export function timeOnce(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

/**
 * Times each task `rounds` times, interleaved round by round so machine load falls on all of them
 * alike, and returns each task's median. `measure` times one task once (default: one call).
 */
export function interleavedMedians<K extends string>(tasks: Record<K, () => unknown>, rounds: number, measure: (work: () => unknown) => number = timeOnce): Record<K, number> {
  const names = Object.keys(tasks) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) for (const name of names) samples[name].push(measure(tasks[name]));
  return Object.fromEntries(names.map((n) => [n, median(samples[n])])) as Record<K, number>;
}
