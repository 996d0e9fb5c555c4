// Where a release already is, read from the live routing: the first stage whose traffic matches
// exactly, else promoted or rolled back, else (a spec edited mid-release) the furthest stage whose
// canary weight the live route has reached. With several owned routes each is read on its own; when
// they disagree (someone changed one by hand) there is no one stage to show, and the plan says so.
import type { DestinationShape, LiveTraffic, RouteTraffic } from '../istio/read-traffic.ts';
import type { Plan, TrafficState } from './types.ts';

export interface StageTraffic {
  traffic: TrafficState;
  shape: DestinationShape;
}

type Detected = Plan['detected'];

/** `detected` when every owned route shows the same; `mixed` and what each route shows when they differ. */
export function detectStage(live: LiveTraffic, stages: StageTraffic[]): Pick<Plan, 'detected' | 'detectedRoutes'> {
  const routes = live.routes?.length ? live.routes : [{ index: -1, ...live }];
  const each = routes.map((route) => ({ index: route.index, detected: detectRoute({ ...route, headerRule: live.headerRule }, stages) }));
  const first = each[0]!.detected;
  if (each.every((e) => e.detected === first)) return first === undefined ? {} : { detected: first };
  return { detected: 'mixed', detectedRoutes: each };
}

function detectRoute(live: RouteTraffic & { headerRule: boolean }, stages: StageTraffic[]): Exclude<Detected, 'mixed'> {
  if (live.shape === 'canary') return 'promoted';
  const traced = live.shape === 'split' || live.headerRule || live.mirrorPercentage > 0;
  if (!traced) return undefined;
  const exact = stages.findIndex((s) => sameTraffic(s, live));
  if (exact >= 0) return exact;
  if (live.shape === 'split' && live.canaryWeight === 0 && !live.headerRule && live.mirrorPercentage === 0) return 'rollback';
  const reached = stages.findLastIndex((s) => s.traffic.canaryWeight <= live.canaryWeight);
  return Math.max(reached, 0);
}

function sameTraffic(stage: StageTraffic, live: RouteTraffic & { headerRule: boolean }): boolean {
  const t = stage.traffic;
  return t.canaryWeight === live.canaryWeight && t.mirrorPercentage === live.mirrorPercentage && t.headerRule === live.headerRule && stage.shape === live.shape;
}

/** What the routing shows, in words: a stage's id, promoted, rolled back, or each owned route's own reading. */
export function detectedText(plan: Pick<Plan, 'detected' | 'detectedRoutes' | 'stages'>): string {
  const one = (d: Exclude<Detected, 'mixed'>) => (typeof d === 'number' ? `stage ${plan.stages[d]!.id}` : d === undefined ? 'all on stable (no trace of the release)' : d === 'rollback' ? 'rolled back' : d);
  if (plan.detected !== 'mixed') return one(plan.detected);
  const routes = (plan.detectedRoutes ?? []).map((r) => `spec.http[${r.index}] at ${one(r.detected)}`).join(', ');
  return `no one stage: the owned routes disagree (${routes}), so the stage cannot be read from the routing`;
}
