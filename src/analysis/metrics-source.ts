// What the analysis needs from a metrics backend. Declared here, below the engine, so the analysis
// depends on nothing above it; the engine's ports re-export it and the Prometheus adapter implements it.

/** One series of an instant vector: its labels and its value (NaN and ±Inf as Prometheus answered them). */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Runs PromQL instant queries; throws MetricsError on failure. */
export interface MetricsPort {
  /** A query that aggregates to one number: undefined for no data (an empty vector). */
  query(promql: string): Promise<number | undefined>;
  /** A grouped query: every series of the vector (empty for no data). */
  vector(promql: string): Promise<Sample[]>;
  /** The same backend answering as of `time` (ms since the epoch), when it keeps history (Prometheus
   * does): a resumed stage is re-judged at each past interval from it. */
  at?(time: number): MetricsPort;
}
