// The engine's view of the outside world. Adapters implement these; tests use in-memory versions.
// Core types: the engine, the report and the adapters import them downward.
import type { DestinationRule, VirtualService } from '../istio/types.ts';
import type { Plan } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import type { RolloutState } from './state.ts';

export type RoutingKind = 'VirtualService' | 'DestinationRule';
export type RoutingObject = VirtualService | DestinationRule;

/** Where routing is written: the cluster (apply mode) or git (commit mode, later). */
export interface RoutingPort {
  /** The live object, or undefined if it does not exist. */
  get(kind: 'VirtualService', namespace: string, name: string): Promise<VirtualService | undefined>;
  get(kind: 'DestinationRule', namespace: string, name: string): Promise<DestinationRule | undefined>;
  /** Writes the whole object guarded by `metadata.resourceVersion` (create when it has none).
   * Throws ConflictError when someone wrote in between; returns what the server stored. */
  write<T extends RoutingObject>(object: T): Promise<T>;
}

export type { MetricsPort, Sample } from '../analysis/metrics-source.ts';

/** Time, injectable so engine tests run on a fake clock. */
export interface Clock {
  now(): number;
  /** Resolves after ms, or rejects with the signal's reason when it is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** Milestones for a log that can show structure (GitHub's groups and annotations); optional. */
  event?(event: ReleaseEvent): void;
}

/** What a structured log shows: a section per stage, a failed gate, a completed rollback. */
export type ReleaseEvent =
  | { kind: 'stage'; stage: string; summary: string }
  | { kind: 'gate-failed'; stage: string; check: string; value?: number; threshold: string; reason: string }
  | { kind: 'rolled-back'; canary: string; stable: string; reason: string };

/** Where a rendered report is shown to people: PR comment, job summary, a file. */
export interface ReportPort {
  publish(markdown: string): Promise<void>;
}

/** A rollout at one moment: its spec, its state (with the history), the plan it follows. */
export interface RolloutView {
  spec: CanarySpec;
  state: RolloutState;
  plan?: Plan;
  /** The clock's time of this view, ISO 8601. */
  at: string;
}

/** Where the engine hands each new state; the engine never renders it (the app renders the report). */
export interface ProgressPort {
  show(view: RolloutView): Promise<void>;
}
