// The engine's view of the outside world. Adapters implement these; tests use in-memory versions.
// Core types: the engine, the report and the adapters import them downward.
import type { ObjectRef, RoutingObject } from '../plan/objects.ts';
import type { Plan } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import type { Holder, RolloutState } from './state.ts';

export type { ObjectRef, RoutingObject } from '../plan/objects.ts';

/** Who else writes an object's routes, as the outside system records it. */
export type RouteOwner =
  /** A GitOps controller reconciles this object: stages would be reverted. */
  | { kind: 'gitops'; controller: string; evidence: string }
  /** The routes were last written by another manager (kubectl, Helm, a script). */
  | { kind: 'manager'; manager: string }
  /** We wrote the routes last, or nobody is recorded. */
  | { kind: 'self' }
  | { kind: 'unknown' };

/** A kind to list, in one namespace or (namespace undefined) in all of them. */
export type ListedKind = Pick<ObjectRef, 'apiVersion' | 'kind'> & { namespace?: string };

/** Where routing is written: the cluster (apply mode) or git (commit mode). Objects of any kind. */
export interface RoutingPort {
  /** The live object, or undefined if it does not exist. */
  get<T extends RoutingObject = RoutingObject>(ref: ObjectRef): Promise<T | undefined>;
  /** Writes the whole object guarded by `metadata.resourceVersion` (create when it has none).
   * Throws ConflictError when someone wrote in between; returns what was stored. */
  write<T extends RoutingObject>(object: T): Promise<T>;
  /** The objects of `kind` in `namespace` (every namespace when it is undefined) that carry every one of `labels`. */
  list(kind: ListedKind, labels: Record<string, string>): Promise<RoutingObject[]>;
  /** Deletes the object if it is still at `resourceVersion` (ConflictError otherwise); one already gone is done. */
  delete(ref: ObjectRef, resourceVersion: string): Promise<void>;
  /**
   * Resolves once a write is in effect, with the object as it is then (undefined for a delete, `desired`
   * undefined): apply mode reads it back and checks it is what was written; commit mode waits for the
   * GitOps controller's sync. Throws ClusterError when what took effect is not what was written.
   */
  applied(ref: ObjectRef, desired: RoutingObject | undefined, stored?: RoutingObject, signal?: AbortSignal): Promise<RoutingObject | undefined>;
  /** Who writes the routes of `object` (as read) besides us: a GitOps controller would revert every stage. */
  owner(object: RoutingObject): RouteOwner;
  /** Writes take effect well after they are made (commit mode: once the GitOps controller syncs the
   * commit). A stage's clock then starts once the state object's write is in effect and has settled,
   * not when it was written: the bake never starts before the stage runs. */
  readonly effectLags?: boolean;
  /**
   * Why writing these objects could never take effect (an HTTPRoute none of whose parents Istio
   * serves): the object and field, and what is wrong; undefined when nothing is. Asked before a
   * release's first write, so such a release writes nothing.
   */
  neverInEffect?(objects: readonly RoutingObject[]): Promise<{ path: string; message: string } | undefined>;
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
  /** The state's rollback is written but the mesh has not put it into effect: why (Istio's words). */
  notInEffect?: string;
}

/** Where the engine hands each new state; the engine never renders it (the app renders the report). */
export interface ProgressPort {
  show(view: RolloutView): Promise<void>;
}
