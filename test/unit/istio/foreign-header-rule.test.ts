// A route of the user's that happens to be named `<canary>-dark-launch` is never taken for our header
// rule: only the rule istio-canary wrote (its mark matches its content) is rewritten or deleted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { headerRuleMark, headerRuleMarkKey, withHeaderRuleMark } from '../../../src/istio/header-rule.ts';
import type { HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { ADMIN_ROUTE, liveVirtualService, NS, spec as engineSpec, world } from '../engine/harness.ts';
import { scenarioArb } from '../plan/arbitraries.ts';
import { canarySpec, seedDestinationRule } from '../plan/helpers.ts';
import { inputErrorMessage } from '../../support/input-error.ts';
import { virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

/** The route: our rule's name, one destination on the canary's host, but the user's `/beta` route. */
const BETA: HttpRoute = {
  name: 'catalog-dark-launch',
  match: [{ uri: { prefix: '/beta' } }],
  timeout: '9s',
  route: [{ destination: { host: 'catalog', subset: 'version-v1' } }],
};

function vsWith(http: HttpRoute[]): VirtualService {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: 'istioinaction' }, spec: { hosts: ['catalog'], http } };
}
const owned: HttpRoute = { route: [{ destination: { host: 'catalog', subset: 'version-v1' } }] };

const refusal = (live: VirtualService) => inputErrorMessage(() => planRelease(canarySpec(), live, seedDestinationRule()));

describe('a route named like our header rule', () => {
  it('without our mark is refused, naming the route and what to do', () => {
    expect(refusal(vsWith([BETA, owned]))).toBe(
      "VirtualService istioinaction/catalog: spec.http[0].name: the route named 'catalog-dark-launch' is not this canary's header rule (no annotation header-rule.istio-canary.dev/catalog marks it as written by istio-canary); istio-canary never rewrites or deletes it: rename that route, or delete it yourself if it is a leftover dark-launch rule",
    );
  });

  it('of any shape, even exactly the shape our rule would have, is refused without the mark', () => {
    const ours = virtualServiceOf(planRelease(canarySpec(), vsWith([owned]), seedDestinationRule()).stages[0]!);
    const unmarked = { ...ours, metadata: { name: 'catalog', namespace: 'istioinaction' } };
    expect(refusal(unmarked)).toContain('is not this canary\'s header rule');
  });

  it('our rule edited by hand (the mark no longer matches) is refused', () => {
    const ours = virtualServiceOf(planRelease(canarySpec(), vsWith([owned]), seedDestinationRule()).stages[0]!);
    ours.spec.http![0]!.timeout = '9s';
    expect(refusal(ours)).toContain('its content differs from the one istio-canary wrote');
  });

  it('a mark copied beside another route of that name is refused', () => {
    const live = withHeaderRuleMark(vsWith([BETA, owned]), 'catalog', { ...BETA, timeout: '1s' });
    expect(refusal(live)).toContain('its content differs');
  });

  it('a second route of that name beside our marked rule is refused', () => {
    const ours = virtualServiceOf(planRelease(canarySpec(), vsWith([owned]), seedDestinationRule()).stages[0]!);
    ours.spec.http!.push(structuredClone(BETA));
    expect(refusal(ours)).toContain("spec.http[2].name: a second route named 'catalog-dark-launch'");
  });

  it('a rollback still removes our rule edited after we wrote it (a webhook, a person) while it sends only to the canary', () => {
    const ours = virtualServiceOf(planRelease(canarySpec(), vsWith([owned]), seedDestinationRule()).stages[0]!);
    ours.spec.http![0]!.retries = { attempts: 9 };
    const rollback = virtualServiceOf(planRelease(canarySpec(), ours, seedDestinationRule(), { tolerateExistingProblems: true }).rollback);
    expect(rollback.spec.http!.map((r) => r.name)).toEqual([undefined]);
    ours.spec.http![0]!.route = [{ destination: { host: 'catalog', subset: 'version-v1' } }];
    expect(() => planRelease(canarySpec(), ours, seedDestinationRule(), { tolerateExistingProblems: true })).toThrow('is not this canary\'s header rule');
  });

  it('our own marked rule is recognised, replaced in place and removed at rollback', () => {
    const plan = planRelease(canarySpec(), vsWith([owned]), seedDestinationRule());
    const mid = virtualServiceOf(plan.stages[2]!);
    expect(mid.metadata.annotations?.[headerRuleMarkKey('catalog')]).toBe(headerRuleMark(mid.spec.http![0]!));
    const again = planRelease(canarySpec(), mid, seedDestinationRule());
    expect(again.detected).toBe(2);
    expect(virtualServiceOf(again.rollback).spec.http!.map((r) => r.name)).toEqual([undefined]);
    expect(virtualServiceOf(again.rollback).metadata.annotations?.[headerRuleMarkKey('catalog')]).toBeUndefined();
  });
});

describe('start, abort and status agree: the foreign route is refused and never written', () => {
  const foreignVs = () => {
    const v = liveVirtualService();
    v.spec.http = [structuredClone(ADMIN_ROUTE), structuredClone(BETA), ...v.spec.http!.slice(1)];
    return v;
  };

  for (const command of ['start', 'abort', 'status', 'run', 'promote'] as const) {
    it(command, async () => {
      const w = world({ vs: foreignVs() });
      const before = structuredClone(w.vs());
      const outcome = await w.exec(command).then(() => undefined, (e: unknown) => e);
      expect((outcome as Error | undefined)?.message).toContain("the route named 'catalog-dark-launch' is not this canary's header rule");
      expect(w.vs().spec).toEqual(before.spec);
      expect(w.routing.history.filter((o) => o.kind === 'VirtualService')).toEqual([]);
    });
  }

  it('a release under way when someone adds such a route: the rollback keeps it and says so', async () => {
    const w = world({ spec: engineSpec() });
    await w.exec('start');
    w.routing.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
      vs.spec.http = vs.spec.http!.filter((r) => r.name !== 'catalog-dark-launch');
      vs.spec.http.push(structuredClone(BETA));
    });
    const failure = await w.exec('abort').then(() => undefined, (e: unknown) => e as Error);
    expect(failure?.message).toContain("the route named 'catalog-dark-launch' is not this canary's header rule");
    expect(w.vs().spec.http!.filter((r) => r.name === 'catalog-dark-launch')).toEqual([BETA]);
  });
});

describe('property: foreign routes are never modified or deleted', () => {
  /** Any route, named like our rules or not, with random match, options and destinations other than
   * catalog's stable version (a route to that is owned by default, not foreign). */
  const foreignRoute = fc.record({
    name: fc.constantFrom('catalog-dark-launch', 'catalog-dark-launch', 'catalog-dark-launch-2', 'other', undefined),
    match: fc.option(fc.constant<Array<Record<string, unknown>>>([{ uri: { prefix: '/beta' } }]), { nil: undefined }),
    timeout: fc.option(fc.constantFrom('9s', '1s'), { nil: undefined }),
    destination: fc.constantFrom({ host: 'catalog', subset: 'version-v2' }, { host: 'catalog', subset: 'other' }, { host: 'reviews', subset: 'version-v1' }, { host: 'reviews' }),
  }).map(({ name, match, timeout, destination }): HttpRoute => ({
    ...(name ? { name } : {}),
    match: match ?? [{ uri: { prefix: '/x' } }],
    ...(timeout ? { timeout } : {}),
    route: [{ destination }],
  }));

  it('every plan outcome keeps each foreign route, or the plan is refused', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(fc.tuple(fc.nat(), foreignRoute), { minLength: 1, maxLength: 3 }), fc.boolean(), (scenario, inserts, markOne) => {
        const live = structuredClone(scenario.live);
        for (const [at, route] of inserts) live.spec.http!.splice(at % (live.spec.http!.length + 1), 0, route);
        // Sometimes a (stale or copied) mark is present too: it must not make a foreign route ours.
        const marked = markOne ? withHeaderRuleMark(live, 'catalog', { ...inserts[0]![1], timeout: '42s' }) : live;
        const foreign = inserts.map(([, r]) => r);
        let plan: ReturnType<typeof planRelease>;
        try {
          plan = planRelease(scenario.spec, marked, scenario.dr);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          return;
        }
        const count = (routes: HttpRoute[], text: string) => routes.filter((r) => JSON.stringify(r) === text).length;
        for (const s of [...plan.stages, plan.promoted, plan.rollback, plan.baseline]) {
          const http = virtualServiceOf(s).spec.http!;
          for (const route of foreign) expect(count(http, JSON.stringify(route))).toBeGreaterThanOrEqual(count(foreign, JSON.stringify(route)));
        }
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
