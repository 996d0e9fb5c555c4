// Waiting until a commit is in effect in the cluster, before a stage's bake may start: poll what the
// GitOps controller (or the live objects) report until our commit is applied, fail at once when the
// controller reports a failure of it, and give up after syncTimeout. Without cluster access, a fixed
// syncWait stands in for the observation.
import type { Clock } from '../core/ports.ts';
import { CanaryError, InputError } from '../errors.ts';
import type { SyncObservation } from './sync-status.ts';

export const DEFAULT_SYNC_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_SYNC_POLL_MS = 2_000;

/** The controller did not apply our commit within syncTimeout: the stage fails and rolls back. */
export class SyncTimeoutError extends CanaryError {}

/** The controller reports that applying our commit failed (Degraded, a failed sync): the stage fails. */
export class SyncFailedError extends CanaryError {}

export interface SyncWait {
  observe(): Promise<SyncObservation>;
  clock: Clock;
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Told each new reason for still waiting (not every poll). */
  onWaiting?: (why: string) => void;
}

export interface SyncApplied {
  /** Clock time of the observation that found it applied. */
  at: number;
  revision: string;
  polls: number;
}

export async function waitForSync(wait: SyncWait): Promise<SyncApplied> {
  const timeoutMs = wait.timeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS;
  const pollMs = wait.pollMs ?? DEFAULT_SYNC_POLL_MS;
  const deadline = wait.clock.now() + timeoutMs;
  let lastWhy = 'no observation yet';
  for (let polls = 1; ; polls++) {
    wait.signal?.throwIfAborted();
    let observation: SyncObservation;
    try {
      observation = await wait.observe();
    } catch (error) {
      // A wrong name or namespace does not fix itself; a failed read may (the next poll tries again).
      if (error instanceof InputError) throw error;
      observation = { kind: 'waiting', why: `could not read the sync status: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (observation.kind === 'applied') return { at: wait.clock.now(), revision: observation.revision, polls };
    if (observation.kind === 'failed') throw new SyncFailedError(observation.why);
    if (observation.why !== lastWhy) wait.onWaiting?.(observation.why);
    lastWhy = observation.why;
    const left = deadline - wait.clock.now();
    if (left <= 0) throw new SyncTimeoutError(`the commit was not in effect after ${formatMs(timeoutMs)} (syncTimeout): ${lastWhy}`);
    await wait.clock.sleep(Math.min(pollMs, left), wait.signal);
  }
}

/** Without cluster access: a fixed time the controller is trusted to need. */
export async function fixedSyncWait(clock: Clock, ms: number, signal?: AbortSignal): Promise<SyncApplied> {
  await clock.sleep(ms, signal);
  return { at: clock.now(), revision: '', polls: 0 };
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
