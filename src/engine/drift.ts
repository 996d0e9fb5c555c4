// Drift: while a stage bakes, its routing is read back at every evaluation (and holder renewal). A
// change the release did not make — someone set the weights to 70 % canary, removed the mirror —
// means the metrics no longer describe the stage being judged, so the stage fails and rolls back,
// naming what changed (and, with several owned routes, on which route). A deleted header rule only
// narrows the canary's traffic: it is put back with a warning.
import type { LiveTraffic, RouteTraffic } from '../istio/read-traffic.ts';
import type { PlannedStage } from '../plan/types.ts';

export interface Drift {
  /** What differs from the stage, in words; empty when nothing the release judges on changed. */
  changed: string[];
  /** The stage has a header rule and the live routing has lost it. */
  headerRuleDeleted: boolean;
}

export function routingDrift(live: LiveTraffic, stage: PlannedStage): Drift {
  const want = stage.traffic;
  const routes = live.routes?.length ? live.routes : [{ index: -1, ...live }];
  const several = routes.length > 1;
  const changed = routes.flatMap((route) => routeDrift(route, want, several ? ` on spec.http[${route.index}]` : ''));
  if (live.headerRule && !want.headerRule) changed.push('a header rule is present (the stage has none)');
  return { changed, headerRuleDeleted: want.headerRule && !live.headerRule };
}

function routeDrift(live: RouteTraffic, want: PlannedStage['traffic'], where: string): string[] {
  const changed: string[] = [];
  if (live.canaryWeight !== want.canaryWeight) changed.push(`the canary weight${where} is ${live.canaryWeight}% (the stage set ${want.canaryWeight}%)`);
  if (live.mirrorPercentage !== want.mirrorPercentage) changed.push(`the mirror to the canary${where} is ${live.mirrorPercentage}% (the stage set ${want.mirrorPercentage}%)`);
  return changed;
}
