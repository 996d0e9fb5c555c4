// A backend held at weight 0 in the owned rule (a maintenance page ready to be switched on) is
// neither version: the release shifts the rule between stable and canary and keeps the idle backend
// as it is, at weight 0, in every stage, promotion and rollback. A backend that receives traffic is
// still refused: shifting the rule would change its share.
import { describe, expect, it } from 'vitest';
import { stageObjects } from '../../../src/plan/types.ts';
import { httpRouteBackend } from '../../../src/routing/http-route/backend.ts';
import { readTraffic } from '../../../src/routing/http-route/traffic.ts';
import type { BackendRef, HTTPRoute } from '../../../src/routing/http-route/types.ts';
import { planWith } from '../../../src/routing/plan.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import { inputErrorMessage } from '../../support/input-error.ts';

const spec = parseCanarySpecs(
  ['apiVersion: istio-canary/v1', 'kind: Canary', 'metadata: {name: app}', 'spec:', '  namespace: app', '  routing: httpRoute', '  httpRoute: app', '  stable: {service: app-v1}', '  canary: {service: app-v2}', '  stages: [{darkLaunch: {headers: {x-canary: {exact: insider}}}}, {weight: 10}]'].join('\n'),
  'canary.yaml',
)[0]!;

const MAINTENANCE: BackendRef = { name: 'maintenance', port: 80, weight: 0 };

function route(backendRefs: BackendRef[]): HTTPRoute {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'app', namespace: 'app' }, spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs }] } };
}

const rulesOf = (stage: Parameters<typeof stageObjects>[0]) => (stageObjects(stage)[0] as unknown as HTTPRoute).spec.rules!;
const canary = { canaryName: 'app', services: { namespace: 'app', stable: 'app-v1', canary: 'app-v2' } };

describe('a backend held at weight 0 in the owned rule', () => {
  it('is kept at weight 0 in every stage, promotion and rollback; the dark-launch rule sends to the canary only', () => {
    const plan = planWith(httpRouteBackend, spec, [route([{ name: 'app-v1', port: 80, weight: 100 }, MAINTENANCE]) as never], { unrecorded: true });
    const [dark, ten] = plan.stages.map(rulesOf);
    expect(dark!.map((r) => r.backendRefs)).toEqual([[{ name: 'app-v2', port: 80, weight: 1 }], [{ name: 'app-v1', port: 80, weight: 1 }, MAINTENANCE]]);
    expect(ten!.at(-1)!.backendRefs).toEqual([{ name: 'app-v1', port: 80, weight: 90 }, { name: 'app-v2', port: 80, weight: 10 }, MAINTENANCE]);
    expect(rulesOf(plan.promoted)[0]!.backendRefs).toEqual([{ name: 'app-v2', port: 80, weight: 1 }, MAINTENANCE]);
    expect(rulesOf(plan.rollback)[0]!.backendRefs).toEqual([{ name: 'app-v1', port: 80, weight: 1 }, MAINTENANCE]);
  });

  it('counts for nothing in what the live route sends to the canary, and a plan resumed there reads the same stage', () => {
    const plan = planWith(httpRouteBackend, spec, [route([{ name: 'app-v1', port: 80 }, MAINTENANCE]) as never], { unrecorded: true });
    const atTen = stageObjects(plan.stages[1]!)[0] as unknown as HTTPRoute;
    expect(readTraffic(atTen, canary)).toMatchObject({ canaryWeight: 10, headerRule: true });
    expect(planWith(httpRouteBackend, spec, [atTen as never]).detected).toBe(1);
  });

  it('is refused when it receives traffic, naming it', () => {
    expect(inputErrorMessage(() => planWith(httpRouteBackend, spec, [route([{ name: 'app-v1', port: 80, weight: 80 }, { name: 'legacy', port: 80, weight: 20 }]) as never]))).toBe(
      "HTTPRoute app/app: spec.rules[0].backendRefs[1]: the owned rule also sends to 'legacy'; istio-canary shifts a rule whose only backend is the stable Service 'app-v1' (move the other backend to a rule of its own, or hold it at weight 0)",
    );
  });
});
