// Where a release already is, read from the live routing: the first stage whose traffic matches
// exactly, else promoted or rolled back, else (a spec edited mid-release) the furthest stage whose
// canary weight the live route has reached.
import type { DestinationShape, LiveTraffic } from '../istio/read-traffic.ts';
import type { Plan, TrafficState } from './types.ts';

export interface StageTraffic {
  traffic: TrafficState;
  shape: DestinationShape;
}

export function detectStage(live: LiveTraffic, stages: StageTraffic[]): Plan['detected'] {
  if (live.shape === 'canary') return 'promoted';
  const traced = live.shape === 'split' || live.headerRule || live.mirrorPercentage > 0;
  if (!traced) return undefined;
  const exact = stages.findIndex((s) => sameTraffic(s, live));
  if (exact >= 0) return exact;
  if (live.shape === 'split' && live.canaryWeight === 0 && !live.headerRule && live.mirrorPercentage === 0) return 'rollback';
  const reached = stages.findLastIndex((s) => s.traffic.canaryWeight <= live.canaryWeight);
  return Math.max(reached , 0);
}

function sameTraffic(stage: StageTraffic, live: LiveTraffic): boolean {
  const t = stage.traffic;
  return t.canaryWeight === live.canaryWeight && t.mirrorPercentage === live.mirrorPercentage && t.headerRule === live.headerRule && stage.shape === live.shape;
}
