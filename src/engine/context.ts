// What a command needs (ports, options) and what it returns, plus the per-command session that
// remembers whether this run already holds the rollout.
import type { Plan } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import type { Clock, HolderPort, Logger, MetricsPort, ProgressPort, RoutingPort } from '../core/ports.ts';
import type { PendingEvaluations } from './pending.ts';
import type { RolloutState, RolloutStatus } from '../core/state.ts';

export type EngineCommand = 'run' | 'start' | 'advance' | 'promote' | 'abort' | 'status';

export interface EngineOptions {
  /** A holder that has not renewed for this long may be taken over by another run. */
  holderTimeoutMs: number;
  /** A new release may roll back one of another version/spec that is still under way. */
  supersede: boolean;
  /** Write even when a GitOps controller manages the VirtualService. */
  forceConflicts: boolean;
  /** abort (the post step): roll back only a rollout this holder drives; a promoted release, no
   * state, or another run's rollout is left alone. */
  onlyOwnRollout?: boolean;
}

export interface EngineContext {
  spec: CanarySpec;
  routing: RoutingPort;
  /** Who drives each canary's rollout (apply mode: a Lease in the namespace). */
  holders: HolderPort;
  metrics: MetricsPort;
  clock: Clock;
  log: Logger;
  /** Gets every new state (the app renders it into the report). */
  progress?: ProgressPort;
  holder: { id: string; runUrl?: string };
  /** Aborted on SIGINT/SIGTERM: the engine stops and rolls back (the rollback itself is not cancelled). */
  signal?: AbortSignal;
  options: EngineOptions;
}

export interface EngineResult {
  status: RolloutStatus;
  /** PlannedStage.id of the current stage, or `promoted` / `rollback`. */
  stage: string;
  canaryWeight: number;
  state: RolloutState;
  /** The plan the state follows (for rendering the report of this result). */
  plan?: Plan;
  /** Why the release was rolled back, when it was. */
  failure?: string;
  /** false: no state is recorded on the VirtualService (status shows what its routing says). */
  recorded?: boolean;
}

/** Mutable facts of one command's execution. */
export interface Session {
  ctx: EngineContext;
  specHash: string;
  /** This command holds the rollout (took its holder record) and has not released it yet. */
  holding: boolean;
  /** Version of the holder record this command last wrote. */
  holderVersion?: string;
  /** This command has written something to the cluster (so an error must roll back). */
  wrote: boolean;
  /** The GitOps/manager check ran (it runs once, before the first forward write). */
  ownershipChecked: boolean;
  /** Clock time this command last wrote its holder record (took or renewed it). */
  renewedAt: number;
  /** Evaluations of the current stage not written yet: they go with the stage's verdict. */
  pending?: PendingEvaluations;
  /** Latest state and plan this command read or wrote. */
  state?: RolloutState;
  plan?: Plan;
}
