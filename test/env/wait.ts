// Polling with a deadline: wait for a condition instead of sleeping and hoping.

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between attempts. */
  intervalMs?: number;
  /** What is awaited, for the timeout message. */
  what?: string;
}

/**
 * Calls `condition` until it returns something other than `undefined`/`false` and returns that.
 * A thrown error counts as "not yet"; the last one is reported when the deadline passes.
 * `fatal` errors (see FatalWaitError) stop the wait at once.
 */
export async function waitFor<T>(
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await condition();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      if (error instanceof FatalWaitError) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : `; last error: ${describe(lastError)}`;
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what ?? 'condition'}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}

/** Thrown from a condition when waiting longer cannot help (e.g. the process died). */
export class FatalWaitError extends Error {
  override name = 'FatalWaitError';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
