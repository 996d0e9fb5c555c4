// Retrying transient failures with capped exponential backoff, under a deadline for the whole
// operation (each attempt also gets at most the time that is left) and/or a number of attempts.
// The one retry policy of the adapters: the Kubernetes API (deadline, full jitter) and Prometheus
// (attempts, plain doubling, Retry-After) both use it.

export interface RetryOptions {
  /** Total time for all attempts, ms (default: none). */
  deadlineMs?: number;
  /** Attempts in all, at most (default: as many as the deadline allows). */
  maxAttempts?: number;
  /** First backoff, ms; doubles per attempt up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Full jitter (default): each delay is uniformly random up to the backoff; false: the backoff itself. */
  jitter?: boolean;
  isTransient(error: unknown): boolean;
  /** A delay the failure itself asks for (HTTP Retry-After): waited at least, up to maxDelayMs. */
  delayHintMs?(error: unknown): number | undefined;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told about each transient failure that will be retried. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** The last error, with how many attempts were made before giving up and why. */
export class RetriesExhausted extends Error {
  readonly lastError: unknown;
  readonly attempts: number;
  constructor(lastError: unknown, attempts: number) {
    super(`gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}`, { cause: lastError });
    this.lastError = lastError;
    this.attempts = attempts;
  }
}

/** Calls `attempt(remainingMs)` until it succeeds, fails permanently (rethrown as is), or the
 * attempts or the deadline run out (RetriesExhausted with the last transient error). */
export async function withRetries<T>(attempt: (remainingMs: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 5_000;
  const maxAttempts = options.maxAttempts ?? Infinity;
  const deadline = now() + (options.deadlineMs ?? Infinity);
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt(Math.max(1, deadline - now()));
    } catch (error) {
      if (!options.isTransient(error)) throw error;
      if (attempts >= maxAttempts) throw new RetriesExhausted(error, attempts);
      const backoff = Math.min(cap, base * 2 ** (attempts - 1));
      const delay = Math.min(cap, Math.max(options.jitter === false ? backoff : random() * backoff, options.delayHintMs?.(error) ?? 0));
      if (now() + delay >= deadline) throw new RetriesExhausted(error, attempts);
      options.onRetry?.(error, attempts, delay);
      await sleep(delay);
    }
  }
}
