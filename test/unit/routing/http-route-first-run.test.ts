// A first run on an HTTPRoute (no rollout of this canary recorded) refuses traffic someone else
// pointed at the canary Service — a weight split, all of the rule, a RequestMirror — naming the rule
// and how out, instead of silently taking it back; with a rollout recorded (resuming) the same route
// is planned and read as the stage it is at. The versions' Services are looked for in the route's
// namespace, and one found elsewhere is named.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { httpRouteBackend } from '../../../src/routing/http-route/backend.ts';
import { planWith } from '../../../src/routing/plan.ts';
import type { HTTPRoute, RouteRule } from '../../../src/routing/http-route/types.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import { stageObjects } from '../../../src/plan/types.ts';
import { inputErrorMessage as problemOf } from '../../support/input-error.ts';

const dir = join(import.meta.dirname, '..', '..', '..', 'examples', 'gateway-api');
const spec = parseCanarySpecs(readFileSync(join(dir, 'canary.yaml'), 'utf8'), 'canary.yaml')[0]!;
const live = parse(readFileSync(join(dir, 'httproute.yaml'), 'utf8')) as HTTPRoute;

/** The example route with its `main` rule edited. */
function withMain(edit: (rule: RouteRule) => RouteRule): HTTPRoute {
  return { ...live, spec: { ...live.spec, rules: live.spec.rules!.map((r) => (r.name === 'main' ? edit(structuredClone(r)) : r)) } };
}

const firstRun = (route: HTTPRoute) => () => planWith(httpRouteBackend, spec, [route as never], { unrecorded: true });

describe('a first run on an HTTPRoute', () => {
  it('refuses a split in progress, naming the weights, the rule and how to reset or finish it', () => {
    const split = withMain((r) => ({ ...r, backendRefs: [{ name: 'catalog-v1', port: 80, weight: 80 }, { name: 'catalog-v2', port: 80, weight: 20 }] }));
    expect(problemOf(firstRun(split))).toBe(
      "HTTPRoute gamma/catalog: spec.rules[1].backendRefs: the rule already splits traffic: 80 % to the stable 'catalog-v1' and 20 % to the canary 'catalog-v2', and no istio-canary rollout of 'catalog' is recorded on the HTTPRoute, so starting the release would take that traffic off the canary and begin again from its first stage; to reset it, set the canary's weight to 0 (or remove its backendRef) and then start the release; to finish it instead, set the weights by hand",
    );
    // Resuming a recorded rollout, the same route is read as it is: 20 % on the canary.
    expect(planWith(httpRouteBackend, spec, [split as never]).liveTraffic).toMatchObject({ canaryWeight: 20 });
  });

  it('refuses a rule sending everything to the canary', () => {
    const promoted = withMain((r) => ({ ...r, backendRefs: [{ name: 'catalog-v2', port: 80 }] }));
    expect(problemOf(firstRun(promoted))).toContain("the rule already splits traffic: all of it to the canary 'catalog-v2'");
  });

  it("refuses a RequestMirror to the canary Service it would take for its own, and keeps anyone else's", () => {
    const mirrored = withMain((r) => ({ ...r, filters: [...(r.filters ?? []), { type: 'RequestMirror', requestMirror: { backendRef: { name: 'catalog-v2', port: 80 }, fraction: { numerator: 1, denominator: 4 } } }] }));
    expect(problemOf(firstRun(mirrored))).toBe(
      "HTTPRoute gamma/catalog: spec.rules[1].filters[1]: the rule already mirrors 25 % of its requests to the canary 'catalog-v2', and no istio-canary rollout of 'catalog' is recorded on the HTTPRoute: istio-canary would take that mirror for its own and remove it; remove the filter (a mirror stage of the release mirrors to the canary), or mirror to another Service",
    );
    const audit = withMain((r) => ({ ...r, filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'audit', port: 80 } } }] }));
    const plan = firstRun(audit)();
    for (const stage of [...plan.stages, plan.rollback]) {
      const main = (stageObjects(stage)[0] as unknown as HTTPRoute).spec.rules!.find((r) => r.name === 'main')!;
      expect(main.filters).toContainEqual(audit.spec.rules![1]!.filters![0]);
    }
  });

  it('plans a rule holding the canary at weight 0 (Flagger, Argo Rollouts between releases)', () => {
    const held = withMain((r) => ({ ...r, backendRefs: [{ name: 'catalog-v1', port: 80, weight: 100 }, { name: 'catalog-v2', port: 80, weight: 0 }] }));
    expect(firstRun(held)().stages).toHaveLength(spec.stages.length);
  });

  it("names a stable Service of another namespace: the versions' Services are the route's namespace's", () => {
    const elsewhere = { ...live, spec: { ...live.spec, rules: [{ backendRefs: [{ name: 'catalog-v1', namespace: 'shop', port: 80 }] }] } };
    const unnamed = parseCanarySpecs(readFileSync(join(dir, 'canary.yaml'), 'utf8').replace('  route: main\n', ''), 'canary.yaml')[0]!;
    expect(problemOf(() => planWith(httpRouteBackend, unnamed, [elsewhere as never]))).toBe(
      "HTTPRoute gamma/catalog: spec.rules[0].backendRefs[0]: no rule sends to the stable Service 'catalog-v1' of namespace 'gamma', this one sends to the Service of that name in namespace 'shop'; istio-canary releases Services of the HTTPRoute's own namespace (the spec's `namespace`): move the HTTPRoute to the Services' namespace",
    );
  });
});
