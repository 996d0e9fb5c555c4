// A rollback must not be blocked by a route someone else made invalid: planning for it tolerates
// the problems the live object already has, and still refuses any problem it would add.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import type { HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { canarySpec, seedDestinationRule } from './helpers.ts';
import { virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

const spec = canarySpec({ route: 'primary' });

/** A foreign route istiod would refuse: every destination weighted 0. */
const brokenForeign: HttpRoute = {
  name: 'admin',
  match: [{ uri: { prefix: '/admin' } }],
  route: [
    { destination: { host: 'catalog', subset: 'version-v1' }, weight: 0 },
    { destination: { host: 'catalog', subset: 'version-v2' }, weight: 0 },
  ],
};

function midRelease(): VirtualService {
  // What the live object looks like at the 50 % stage, once someone broke the admin route.
  const healthy: VirtualService = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'catalog', namespace: 'istioinaction' },
    spec: { hosts: ['catalog'], http: [{ name: 'admin', match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: 'catalog', subset: 'version-v1' } }] }, { name: 'primary', route: [{ destination: { host: 'catalog', subset: 'version-v1' } }] }] },
  };
  const atFifty = virtualServiceOf(planRelease(spec, healthy, seedDestinationRule()).stages[3]!);
  return { ...atFifty, spec: { ...atFifty.spec, http: [brokenForeign, ...atFifty.spec.http!.slice(1)] } };
}

describe('planning a rollback over a foreign problem', () => {
  it('a forward plan refuses the invalid foreign route, naming it', () => {
    expect(() => planRelease(spec, midRelease(), seedDestinationRule())).toThrow(InputError);
    expect(() => planRelease(spec, midRelease(), seedDestinationRule())).toThrow(/spec\.http\[0\]/);
  });

  it('the rollback plan goes through, sends the owned route to stable and leaves the foreign route as it was', () => {
    const plan = planRelease(spec, midRelease(), seedDestinationRule(), { tolerateExistingProblems: true });
    const http = virtualServiceOf(plan.rollback).spec.http!;
    expect(http[0]).toEqual(brokenForeign);
    const primary = http.find((r) => r.name === 'primary')!;
    expect(primary.route).toEqual([
      { destination: { host: 'catalog', subset: 'version-v1' }, weight: 100 },
      { destination: { host: 'catalog', subset: 'version-v2' }, weight: 0 },
    ]);
    expect(http.some((r) => r.name === `${spec.name}-dark-launch`)).toBe(false);
  });

  it('still refuses the owned route it cannot leave as it is', () => {
    // An owned route whose mirror conflicts with `mirrors` is the canary's to manage: the
    // rollback cannot leave it as it is, so the problem is not tolerated.
    const live = midRelease();
    const primary = live.spec.http!.find((r) => r.name === 'primary')!;
    primary.mirrors = [{ destination: { host: 'catalog', subset: 'version-v1' } }];
    primary.mirror = { host: 'catalog', subset: 'version-v1' };
    expect(() => planRelease(spec, live, seedDestinationRule(), { tolerateExistingProblems: true })).toThrow();
  });
});
