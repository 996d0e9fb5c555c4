import type { StageSpec } from '../spec/types.ts';
import type { LiveTraffic } from '../istio/read-traffic.ts';
import type { ObjectRef, RoutingObject } from './objects.ts';

export type { ObjectRef, RoutingObject } from './objects.ts';

/** One step of a stage: put an object in place (create or replace) or delete it. `after` lists the
 * changed operations of the same stage that must be in effect first (make before break). */
export type ObjectOperation =
  | {
      action: 'apply';
      ref: ObjectRef;
      /** The desired object, whole. */
      object: RoutingObject;
      /** It differs from the object before this stage (or is new); an unchanged one is only kept in place. */
      changed: boolean;
      after: ObjectRef[];
    }
  | { action: 'delete'; ref: ObjectRef; after: ObjectRef[] };

/** What the owned route does to traffic in a stage: the numbers reports and gates need. */
export interface TrafficState {
  /** Percent of the owned route's live traffic sent to the canary subset. */
  canaryWeight: number;
  /** Percent of the owned route's traffic mirrored to the canary (0 = no mirror). */
  mirrorPercentage: number;
  /** The dark-launch header rule is present. */
  headerRule: boolean;
}

/** What the owned route does in one stage, for any routing API: the backend puts it on its objects. */
export interface StageRouting {
  destinations: { to: 'stable' } | { to: 'canary' } | { to: 'split'; canaryWeight: number };
  /** Mirror this percentage to the canary; absent = no mirror. */
  mirrorPercentage?: number;
  /** Route requests with these cohort headers to the canary; absent = no header rule. */
  headers?: Record<string, unknown>;
}

export interface PlannedStage {
  /** Position in the spec's stage order, from 0; -1 for `promoted` and `rollback`. */
  index: number;
  /** Stable id used for directories and state: `00-dark-launch`, `01-mirror`, `02-weight-10`, `promoted`, `rollback`. */
  id: string;
  kind: StageSpec['kind'] | 'promoted' | 'rollback';
  /** One line for logs and reports, e.g. "10% of catalog traffic to version-v2 (header rule kept)". */
  summary: string;
  /** The stage's spec (bake, pause, ...); undefined for promoted and rollback. */
  spec?: StageSpec;
  traffic: TrafficState;
  /** Every object of the stage in write order, from the previous stage (make before break). */
  operations: ObjectOperation[];
  /** Why the stage's traffic goes where the summary says (an HTTPRoute's precedence proof: who the cohort reaches). */
  notes?: string[];
}

export interface Plan {
  stages: PlannedStage[];
  promoted: PlannedStage;
  rollback: PlannedStage;
  /** The live objects with everything this tool added removed (what "before the release" means). */
  baseline: RoutingObject[];
  /** The object whose annotation carries the rollout state (and whose owner is checked before writing). */
  stateObject: ObjectRef;
  /** Where the live objects already are, if they carry this canary's routing: index into `stages`,
   * or 'promoted' / 'rollback' / undefined (no trace of this release); 'mixed' when the owned routes
   * disagree (then `detectedRoutes` says what each shows). Read from the routing itself. */
  detected?: number | 'promoted' | 'rollback' | 'mixed';
  /** With `detected: 'mixed'`: what each owned route (index into the routing object's routes) shows. */
  detectedRoutes?: Array<{ index: number; detected?: number | 'promoted' | 'rollback' }>;
  /** What the live owned route does now for this canary, read from the routing (drift checks compare it with a stage). */
  liveTraffic?: LiveTraffic;
  /** The live routes the release owns, and those sending to the stable version that no request reaches
   * (reported, not owned): indices into the routing object's list of routes (`spec.http` of a VirtualService). */
  routes?: { owned: number[]; shadowed: number[] };
  /** The live header rule has no mark and was taken for ours from the recorded state (PlanOptions.legacyHeaderRuleStage). */
  legacyHeaderRule?: boolean;
  /** What the plan cannot promise for every client (clients that follow another route), in plain words. */
  notes?: string[];
  /** Objects the plan could not see, so its checks did not cover them (PlanOptions.unchecked). */
  unchecked?: string[];
}

export interface PlanOptions {
  /**
   * For a rollback: problems the live objects already have outside what the canary owns do not
   * stop the plan (the rollback leaves them as they are); only problems it would add do.
   */
  tolerateExistingProblems?: boolean;
  /**
   * Index of the stage this canary's state records as current, given only when the state says that
   * stage has the header rule. A rule written by an istio-canary from before the mark (none on it) is
   * then taken for ours if it is exactly the one planned for that stage; the next write adds the mark.
   */
  legacyHeaderRuleStage?: number;
  /**
   * No rollout of this canary is recorded (a first run, or `plan` of manifests): routing that already
   * sends traffic to the canary is then someone else's split, not a stage of ours, and starting over
   * from stage 0 would silently take that traffic away. Refused.
   */
  unrecorded?: boolean;
  /** What the live objects given to the plan are known to miss (a list the credentials may not make, routes only
   * in the cluster when planning from files): said in the plan, so nobody takes its checks for complete. */
  unchecked?: string[];
}

/** The desired objects of a stage, in write order (deletes left out). */
export function stageObjects(stage: Pick<PlannedStage, 'operations'>): RoutingObject[] {
  return stage.operations.flatMap((op) => (op.action === 'apply' ? [op.object] : []));
}
