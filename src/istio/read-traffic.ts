// Reads back what the live owned route does for this canary, from the routing itself: which
// destinations it has, the canary's share, the mirror and the header rule. The plan matches this
// against its stages to find where a release already is.
import { sameHost } from './hosts.ts';
import { hasOwnMirror } from './mirror.ts';
import type { CanaryTarget } from './destinations.ts';
import type { VirtualService } from './types.ts';

export type DestinationShape = 'stable' | 'split' | 'canary';

export interface LiveTraffic {
  /** stable: only stable (or unpinned); split: both subsets listed; canary: only the canary. */
  shape: DestinationShape;
  /** Percent of the owned route's traffic to the canary subset, rounded to an integer. */
  canaryWeight: number;
  mirrorPercentage: number;
  headerRule: boolean;
}

/** `headerRule`: the live object has this canary's (marked) header rule. */
export function readLiveTraffic(live: VirtualService, ownedIndex: number, headerRule: boolean, t: CanaryTarget): LiveTraffic {
  const namespace = live.metadata.namespace ?? '';
  const route = live.spec.http![ownedIndex]!;
  const ours = (route.route ?? []).filter((d) => sameHost(d.destination.host, t.host, namespace));
  const canary = ours.filter((d) => d.destination.subset === t.canarySubset);
  const others = ours.length - canary.length;
  const shape: DestinationShape = canary.length === 0 ? 'stable' : others === 0 ? 'canary' : 'split';
  return {
    shape,
    canaryWeight: shape === 'stable' ? 0 : shape === 'canary' ? 100 : shareOf(canary, ours),
    mirrorPercentage: hasOwnMirror(route, t, namespace) ? (route.mirrorPercentage?.value ?? 100) : 0,
    headerRule,
  };
}

function shareOf(part: Array<{ weight?: number }>, all: Array<{ weight?: number }>): number {
  const sum = (xs: Array<{ weight?: number }>) => xs.reduce((acc, d) => acc + (d.weight ?? 0), 0);
  const total = sum(all);
  return total > 0 ? Math.round((100 * sum(part)) / total) : 0;
}
