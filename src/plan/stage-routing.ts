// What the owned route does in each stage, derived from the spec's stage list: a weight persists
// until the next weight stage, a mirror lasts for its own stage only, and a dark-launch header rule
// lasts for its stage and, with `keep` (the default), every later one.
import type { StageSpec } from '../spec/types.ts';
import type { StageRouting, TrafficState } from './types.ts';


export interface RoutingAt {
  routing: StageRouting;
  traffic: TrafficState;
}

export function routingAt(stages: StageSpec[], index: number): RoutingAt {
  const upTo = stages.slice(0, index + 1);
  const current = stages[index]!;
  const lastWeight = upTo.findLast((s) => s.kind === 'weight');
  const lastDark = upTo.findLast((s) => s.kind === 'darkLaunch');
  const headers = lastDark && (lastDark === current || lastDark.keep) ? lastDark.headers : undefined;
  const mirrorPercentage = current.kind === 'mirror' ? current.percentage : undefined;
  const routing: StageRouting = {
    destinations: lastWeight ? { to: 'split', canaryWeight: lastWeight.weight } : { to: 'stable' },
    ...(mirrorPercentage !== undefined ? { mirrorPercentage } : {}),
    ...(headers !== undefined ? { headers } : {}),
  };
  return {
    routing,
    traffic: { canaryWeight: lastWeight?.weight ?? 0, mirrorPercentage: mirrorPercentage ?? 0, headerRule: headers !== undefined },
  };
}

export const PROMOTED: RoutingAt = {
  routing: { destinations: { to: 'canary' } },
  traffic: { canaryWeight: 100, mirrorPercentage: 0, headerRule: false },
};

export const ROLLBACK: RoutingAt = {
  routing: { destinations: { to: 'split', canaryWeight: 0 } },
  traffic: { canaryWeight: 0, mirrorPercentage: 0, headerRule: false },
};
