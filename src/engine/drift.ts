// Drift: while a stage bakes, its routing is read back at every evaluation (and holder renewal). A
// change the release did not make — someone set the weights to 70 % canary, removed the mirror —
// means the metrics no longer describe the stage being judged, so the stage fails and rolls back,
// naming what changed. A deleted header rule only narrows the canary's traffic: it is put back with
// a warning.
import type { LiveTraffic } from '../istio/read-traffic.ts';
import type { PlannedStage } from '../plan/types.ts';

export interface Drift {
  /** What differs from the stage, in words; empty when nothing the release judges on changed. */
  changed: string[];
  /** The stage has a header rule and the live routing has lost it. */
  headerRuleDeleted: boolean;
}

export function routingDrift(live: LiveTraffic, stage: PlannedStage): Drift {
  const want = stage.traffic;
  const changed: string[] = [];
  if (live.canaryWeight !== want.canaryWeight) changed.push(`the canary weight is ${live.canaryWeight}% (the stage set ${want.canaryWeight}%)`);
  if (live.mirrorPercentage !== want.mirrorPercentage) changed.push(`the mirror to the canary is ${live.mirrorPercentage}% (the stage set ${want.mirrorPercentage}%)`);
  if (live.headerRule && !want.headerRule) changed.push('a header rule is present (the stage has none)');
  return { changed, headerRuleDeleted: want.headerRule && !live.headerRule };
}
