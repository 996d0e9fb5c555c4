// Reads back what the live owned routes do for this canary, from the routing itself: which
// destinations they have, the canary's share, the mirror and the header rules. The plan matches this
// against its stages to find where a release already is; drift checks compare every owned route.
import { sameHost } from './hosts.ts';
import { hasOwnMirror } from './mirror.ts';
import type { CanaryTarget } from './destinations.ts';
import type { RouteDestination, VirtualService } from './types.ts';

export type DestinationShape = 'stable' | 'split' | 'canary';

/** What one owned route does. */
export interface RouteTraffic {
  /** stable: only stable (or unpinned); split: both versions listed; canary: only the canary. */
  shape: DestinationShape;
  /** Percent of the route's traffic to the canary, rounded to an integer. */
  canaryWeight: number;
  mirrorPercentage: number;
}

export interface LiveTraffic extends RouteTraffic {
  /** Every owned route has its header rule. */
  headerRule: boolean;
  /** Each owned route (live index) and what it does, when there are several to tell apart; the fields
   * above are the first route's. */
  routes?: Array<RouteTraffic & { index: number }>;
}

/** `headerRules`: how many of this canary's (marked) header rules the live object has. */
export function readLiveTraffic(live: VirtualService, owned: number[], headerRules: number, t: CanaryTarget): LiveTraffic {
  const routes = owned.map((index) => ({ index, ...routeTraffic(live, index, t) }));
  const { index: _first, ...headline } = routes[0]!;
  return { ...headline, headerRule: headerRules > 0 && headerRules >= owned.length, routes };
}

function routeTraffic(live: VirtualService, index: number, t: CanaryTarget): RouteTraffic {
  const namespace = live.metadata.namespace ?? '';
  const route = live.spec.http![index]!;
  const is = (d: RouteDestination, v: CanaryTarget['stable']) => sameHost(d.destination.host, v.host, namespace) && d.destination.subset === v.subset;
  const unpinned = (d: RouteDestination) => t.stable.subset !== undefined && d.destination.subset === undefined && sameHost(d.destination.host, t.stable.host, namespace);
  const ours = (route.route ?? []).filter((d) => is(d, t.stable) || is(d, t.canary) || unpinned(d));
  const canary = ours.filter((d) => is(d, t.canary));
  const others = ours.length - canary.length;
  const shape: DestinationShape = canary.length === 0 ? 'stable' : others === 0 ? 'canary' : 'split';
  return {
    shape,
    canaryWeight: shape === 'stable' ? 0 : shape === 'canary' ? 100 : shareOf(canary, ours),
    mirrorPercentage: hasOwnMirror(route, t, namespace) ? (route.mirrorPercentage?.value ?? 100) : 0,
  };
}

function shareOf(part: Array<{ weight?: number }>, all: Array<{ weight?: number }>): number {
  const sum = (xs: Array<{ weight?: number }>) => xs.reduce((acc, d) => acc + (d.weight ?? 0), 0);
  const total = sum(all);
  return total > 0 ? Math.round((100 * sum(part)) / total) : 0;
}
