// The Gateway API example (examples/gateway-api) is a valid spec whose every stage the HTTPRoute
// edits can lay on the example route.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyStage, readTraffic, stripCanary } from '../../../src/routing/http-route/traffic.ts';
import type { HTTPRoute } from '../../../src/routing/http-route/types.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';

const dir = join(import.meta.dirname, '..', '..', '..', 'examples', 'gateway-api');

describe('examples/gateway-api', () => {
  it('plans every stage on the example HTTPRoute', () => {
    const [spec] = parseCanarySpecs(readFileSync(join(dir, 'canary.yaml'), 'utf8'), 'canary.yaml');
    const live = parse(readFileSync(join(dir, 'httproute.yaml'), 'utf8')) as HTTPRoute;
    expect(spec).toMatchObject({ routing: 'httpRoute', httpRoute: { name: 'catalog' }, stable: { service: 'catalog-v1' }, canary: { service: 'catalog-v2' } });
    const canary = { canaryName: spec!.name, rule: spec!.route!, services: { namespace: spec!.namespace, stable: spec!.stable.service!, canary: spec!.canary.service! } };
    const baseline = stripCanary(live, canary);
    let weight = 0;
    for (const stage of spec!.stages) {
      if (stage.kind === 'weight') weight = stage.weight;
      const traffic = {
        canaryWeight: weight,
        mirrorPercentage: stage.kind === 'mirror' ? stage.percentage : 0,
        ...(weight < 100 ? { headers: { 'x-istio-cohort': { exact: 'internal' } } } : {}),
      };
      const out = applyStage(baseline, canary, traffic);
      expect(readTraffic(out.route, canary)).toMatchObject({ canaryWeight: weight, mirrorPercentage: traffic.mirrorPercentage, headerRule: weight < 100 });
    }
  });
});
