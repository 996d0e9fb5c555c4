import type { StageSpec } from '../spec/types.ts';
import type { DestinationRule, VirtualService } from '../istio/types.ts';
import type { LiveTraffic } from '../istio/read-traffic.ts';

/** One write of the plan, in order. `settleAfter`: wait the spec's settle delay after this write
 * before the next one (a new subset must propagate before a route references it). */
export interface PlannedWrite {
  kind: 'DestinationRule' | 'VirtualService';
  settleAfter: boolean;
}

/** What the owned route does to traffic in a stage: the numbers reports and gates need. */
export interface TrafficState {
  /** Percent of the owned route's live traffic sent to the canary subset. */
  canaryWeight: number;
  /** Percent of the owned route's traffic mirrored to the canary (0 = no mirror). */
  mirrorPercentage: number;
  /** The dark-launch header rule is present. */
  headerRule: boolean;
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
  /** Absent when the versions are Services of their own and there is no DestinationRule. */
  destinationRule?: DestinationRule;
  virtualService: VirtualService;
  /** The writes that take the cluster from the previous stage to this one (make before break). */
  writes: PlannedWrite[];
}

export interface Plan {
  stages: PlannedStage[];
  promoted: PlannedStage;
  rollback: PlannedStage;
  /** The live VirtualService with everything this tool added removed (what "before the release" means). */
  baseline: { virtualService: VirtualService; destinationRule?: DestinationRule };
  /** Where the live objects already are, if they carry this canary's routing: index into `stages`,
   * or 'promoted' / 'rollback' / undefined (no trace of this release). Read from the routing itself. */
  detected?: number | 'promoted' | 'rollback';
  /** What the live owned route does now for this canary, read from the routing (drift checks compare it with a stage). */
  liveTraffic?: LiveTraffic;
  /** The live routes the release owns, and those sending to the stable version that no request reaches
   * (reported, not owned): indices into the live VirtualService's `spec.http`. */
  routes?: { owned: number[]; shadowed: number[] };
  /** The live header rule has no mark and was taken for ours from the recorded state (PlanOptions.legacyHeaderRuleStage). */
  legacyHeaderRule?: boolean;
}
