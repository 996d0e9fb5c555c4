// The engine's view of the outside world. Adapters implement these; tests use in-memory versions.
// Core types: the engine, the report and the adapters import them downward.
import type { DestinationRule, VirtualService } from '../istio/types.ts';
import type { Holder } from './state.ts';

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

/** A canary's holder record: who drives its rollout, and the record's version for a guarded write. */
export interface HolderRecord {
  /** Undefined when nobody holds it. */
  holder?: Holder;
  /** Undefined when no record exists yet (the next write creates it). */
  version?: string;
}

/** Who drives a rollout right now, kept apart from the routing so that renewing it never rewrites
 * the routing: a Lease in the namespace in apply mode; commit mode locks with the branch head. */
export interface HolderPort {
  read(namespace: string, canary: string): Promise<HolderRecord>;
  /** Records `holder` (undefined: releases it) over the record read as `version`. Throws
   * ConflictError when the record changed since (another run took or released it). `timeoutMs`:
   * how long the holder counts without renewal, for readers other than istio-canary. */
  write(namespace: string, canary: string, holder: Holder | undefined, version: string | undefined, timeoutMs: number): Promise<HolderRecord>;
}

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

/** Where progress is shown to people: PR comment, job summary, a file. */
export interface ReportPort {
  publish(markdown: string): Promise<void>;
}
