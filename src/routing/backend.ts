// A routing backend: how one routing API (VirtualService + DestinationRule, HTTPRoute, ...) carries a
// canary. The plan, the engine and the ports handle its objects without knowing their kind; adding a
// routing API is one folder implementing this and one line in registry.ts.
import type { InputProblem } from '../errors.ts';
import type { LiveTraffic } from '../istio/read-traffic.ts';
import type { Links } from '../plan/operations.ts';
import type { ObjectRef, PlannedStage, PlanOptions, RoutingObject, StageRouting } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';

/** The live objects with this canary's traces removed, and what the backend needs to lay a stage on them. */
export interface Stripped<Base> {
  /** The backend's own working data (indices of the owned route, templates...). */
  base: Base;
  /** The objects as they were before the release, in write order (rollback to baseline, `plan` output). */
  baseline: RoutingObject[];
  /** What the first stage and the rollback are written against (objects that do not exist yet are absent). */
  before: RoutingObject[];
  /** The live header rule carries no mark and was taken for ours (PlanOptions.legacyHeaderRuleStage). */
  legacyHeaderRule?: boolean;
  /** The live routes the release owns and those it reports as never reached (Plan.routes). */
  routes?: { owned: number[]; shadowed: number[] };
  /** What the plan cannot promise for every client, in plain words (Plan.notes). */
  notes?: string[];
}

/** A collection a release reads whole: a kind in one namespace, or in every namespace. */
export interface ListRequest {
  ref: Pick<ObjectRef, 'apiVersion' | 'kind'> & { namespace?: string };
  labels: Record<string, string>;
  /** The list may be refused (it needs more than the namespace's permissions): then the release goes on
   * without it, and this sentence says what was not checked (Plan.unchecked). Otherwise a refusal fails. */
  ifForbidden?: string;
}

export interface RoutingBackend<Base = unknown> {
  readonly name: string;
  /** The objects a release of `spec` reads, in write order; `ifMissing` for the ones that must exist. */
  reads(spec: CanarySpec): Array<{ ref: ObjectRef; ifMissing?: InputProblem }>;
  /** Collections a release also reads whole (kind in a namespace or all, with these labels; `{}`: all), after `reads`;
   * `read`: the objects `reads` found, so a list is asked for only when they need it. */
  lists?(spec: CanarySpec, read: readonly RoutingObject[]): ListRequest[];
  /** The object whose annotation carries the rollout state: the one the release always writes. */
  stateObject(spec: CanarySpec): ObjectRef;
  /** Checks the live objects (InputError naming the object and field) and strips this canary's traces. */
  strip(spec: CanarySpec, live: readonly RoutingObject[], options: PlanOptions): Stripped<Base>;
  /** The stage's objects: the baseline with the stage's traffic split, header rule and mirror laid on. */
  apply(spec: CanarySpec, stripped: Stripped<Base>, routing: StageRouting): RoutingObject[];
  /** Why the stage's traffic goes where its summary says, when that needs saying (PlannedStage.notes). */
  stageNotes?(spec: CanarySpec, stripped: Stripped<Base>, routing: StageRouting): string[];
  /** What the live objects route for this canary now (status, resuming, drift). */
  readTraffic(spec: CanarySpec, stripped: Stripped<Base>): LiveTraffic;
  /** Throws when a produced object breaks the API's rules; with `live`, only for problems it did not already have. */
  validate(produced: RoutingObject, live?: RoutingObject): void;
  /** Which objects must be in effect before which (make before break). */
  links: Links;
  /** The pod labels of version `subset` in the live objects, to roll back an older release as it was. */
  versionLabels(live: readonly RoutingObject[], spec: CanarySpec, subset: string): Record<string, string> | undefined;
  /** A log line when the plan took an unmarked header rule for ours (see Stripped.legacyHeaderRule). */
  legacyRuleNote(spec: CanarySpec, stage: PlannedStage): string;
}
