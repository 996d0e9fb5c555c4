// Retrying transient failures with capped exponential backoff and full jitter, under one deadline
// for the whole operation (each attempt also gets at most the time that is left).

export interface RetryOptions {
  /** Total time for all attempts, ms. */
  deadlineMs: number;
  /** First backoff, ms; doubles per attempt up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  isTransient(error: unknown): boolean;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told about each transient failure that will be retried. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export interface RetryOutcome<T> {
  value: T;
  attempts: number;
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
 * deadline passes (RetriesExhausted with the last transient error). */
export async function withRetries<T>(attempt: (remainingMs: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 5_000;
  const deadline = now() + options.deadlineMs;
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt(Math.max(1, deadline - now()));
    } catch (error) {
      if (!options.isTransient(error)) throw error;
      const delay = random() * Math.min(cap, base * 2 ** (attempts - 1));
      if (now() + delay >= deadline) throw new RetriesExhausted(error, attempts);
      options.onRetry?.(error, attempts, delay);
      await sleep(delay);
    }
  }
}
