// The header rule never adds what `istioctl analyze` reports as an unreachable (IST0130) or
// ineffective (IST0131) match: our port of istiod's analyzeUnreachableHTTPRules, the blocks the rule
// leaves out (they could never match), and the one clear error for what cannot be avoided.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { unreachableFindings } from '../../../src/istio/reachability.ts';
import type { HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { canarySpec, seedDestinationRule, stage } from '../plan/helpers.ts';
import { scenarioArb } from '../plan/arbitraries.ts';
import { virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

const HEADER_RULE = 'catalog-dark-launch';
/** Our header rules: one per owned route (`catalog-dark-launch`, `catalog-dark-launch-2`...). */
const isRule = (r: HttpRoute) => typeof r.name === 'string' && /^catalog-dark-launch(-[0-9]+)?$/.test(r.name);
const COHORT = { 'x-istio-cohort': { exact: 'internal' } };
const to = (host: string) => [{ destination: { host } }];

function vs(http: HttpRoute[]): VirtualService {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: 'istioinaction' }, spec: { hosts: ['catalog'], http } };
}

const darkSpec = canarySpec({ route: 'primary', stages: [stage.darkLaunch(), stage.weight(100)] });
const headerRuleOf = (live: VirtualService) => virtualServiceOf(planRelease(darkSpec, live, seedDestinationRule()).stages[0]!).spec.http!.find((r) => r.name === HEADER_RULE)!;

/** Findings as `code route[match] earlier reason`; a route by its name, else by its index among the routes other than the header rules. */
function findings(routes: HttpRoute[]): string[] {
  const others = routes.filter((r) => !isRule(r));
  const name = (i: number | undefined) => (i === undefined ? '' : (routes[i]!.name ?? `#${others.indexOf(routes[i]!)}`));
  return unreachableFindings(routes).map((f) => `${f.code} ${name(f.route)}${f.match === undefined ? '' : `[${f.match}]`} ${name(f.earlierRoute)} ${f.reason}`);
}

describe("istiod's analyzeUnreachableHTTPRules, ported", () => {
  it('identical blocks (names aside, zero values omitted), routes after a catch-all, prefix blocks its heuristic covers', () => {
    expect(findings([
      { name: 'a', match: [{ uri: { exact: '/x' } }], route: to('c') },
      { name: 'b', match: [{ name: 'n', uri: { exact: '/x' }, ignoreUriCase: false }], route: to('c') },
    ])).toEqual(['IST0131 b[0] a duplicate match', 'IST0130 b  all matches used by prior rules']);
    expect(findings([{ name: 'a', route: to('c') }, { name: 'b', match: [{ uri: { exact: '/x' } }], route: to('c') }, { name: 'c', route: to('c') }]))
      .toEqual(['IST0130 b  route without matches defined before', 'IST0130 c  only the last rule can have no matches']);
    expect(findings([{ name: 'a', match: [{ uri: { prefix: '/a' } }, { uri: { prefix: '/ab' } }], route: to('c') }])).toEqual(['IST0131 a[1] a prefix /ab overlaps prefix /a']);
    // Not covered: another header count, or an earlier block that needs a header the later one lacks.
    expect(findings([{ name: 'a', match: [{ uri: { prefix: '/a' }, headers: COHORT }, { uri: { prefix: '/ab' } }], route: to('c') }])).toEqual([]);
  });
});

describe('the header rule adds no unreachable-match finding', () => {
  it('a duplicate match block of the owned route is copied once', () => {
    const block = { uri: { prefix: '/api' } };
    const live = vs([{ name: 'primary', match: [block, { ...block }], route: to('catalog') }, { name: 'rest', route: to('catalog') }]);
    expect(findings(live.spec.http!)).toEqual(['IST0131 primary[1] primary duplicate match']);
    expect(headerRuleOf(live).match).toEqual([{ ...block, headers: COHORT }]);
    const produced = virtualServiceOf(planRelease(darkSpec, live, seedDestinationRule()).stages[0]!).spec.http!;
    expect(findings(produced)).toEqual(['IST0131 primary[1] primary duplicate match']);
  });

  it('a block an earlier route already matches in full is refused before it could become an unreachable match (shadowing.ts)', () => {
    const live = vs([
      { name: 'beta', match: [{ uri: { prefix: '/beta' }, headers: COHORT }], route: to('catalog') },
      { name: 'primary', match: [{ uri: { prefix: '/beta' } }, { uri: { prefix: '/shop' } }], route: to('catalog') },
    ]);
    expect(() => headerRuleOf(live)).toThrow(/the route 'beta' comes before the owned route and already catches every request the dark-launch rule would/);
  });

  it('an owned block that already requires the cohort header would be shadowed by the rule: refused with IST0131 named', () => {
    const live = vs([{ name: 'primary', match: [{ headers: COHORT }, { uri: { prefix: '/x' } }], route: to('catalog') }, { name: 'rest', route: to('catalog') }]);
    const e = (() => {
      try {
        planRelease(darkSpec, live, seedDestinationRule());
      } catch (error) {
        return error;
      }
    })();
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toBe(
      "VirtualService istioinaction/catalog: spec.http[0].match: the dark-launch header rule would make istioctl analyze report IST0131 (duplicate match) for spec.http[0].match[0] because of the header rule's block made from spec.http[0].match[0], " +
        "which the VirtualService does not have now; expected owned-route match blocks that stay distinct from every other route's once the dark-launch headers are added",
    );
  });

  it('a prefix block the rule covers in full is left out; one istiod only takes for covered (another method) is refused', () => {
    const shadowed = vs([{ name: 'primary', match: [{ uri: { prefix: '/a' } }, { uri: { prefix: '/ab' } }], route: to('catalog') }, { name: 'rest', route: to('catalog') }]);
    expect(headerRuleOf(shadowed).match).toEqual([{ uri: { prefix: '/a' }, headers: COHORT }]);
    // istiod reads a block without method as GET, so it reports /ab (any method) as covered by /a (GET only).
    const heuristic = vs([{ name: 'primary', match: [{ uri: { prefix: '/a' }, method: { exact: 'GET' } }, { uri: { prefix: '/ab' } }], route: to('catalog') }, { name: 'rest', route: to('catalog') }]);
    expect(findings(heuristic.spec.http!)).toEqual(['IST0131 primary[1] primary prefix /ab overlaps prefix /a']);
    expect(() => planRelease(darkSpec, heuristic, seedDestinationRule())).toThrow(
      /would make istioctl analyze report IST0131 \(prefix \/ab overlaps prefix \/a\) for the header rule's block made from spec\.http\[0\]\.match\[1\]/,
    );
  });

  it('on random VirtualServices, every stage has only the findings the input had (or the plan is refused)', () => {
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr }) => {
        const darkStages = spec.stages.some((s) => s.kind === 'darkLaunch');
        fc.pre(darkStages);
        let plan: ReturnType<typeof planRelease>;
        try {
          plan = planRelease(spec, live, dr);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          return;
        }
        const before = new Set(findings(live.spec.http!).filter((f) => !f.includes(HEADER_RULE)));
        for (const s of plan.stages) {
          const inherited = (f: string) => /^IST0130 catalog-dark-launch(-[0-9]+)? {2}route without matches defined before/.test(f) && [...before].some((b) => b.startsWith('IST0130'));
          for (const f of findings(virtualServiceOf(s).spec.http!)) if (!inherited(f)) expect(before).toContain(f);
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
