// istiod's webhook rules and the CRD shape, on objects built to break one rule each.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import type { DestinationRule, HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { assertValidInput, assertValidProduced, istioProblems } from '../../../src/istio/validate.ts';

const ok: HttpRoute = { route: [{ destination: { host: 'catalog', subset: 'v1' } }] };
const vs = (...http: HttpRoute[]): VirtualService => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: 'ns' }, spec: { hosts: ['catalog'], http } });
const rules = (v: VirtualService | DestinationRule) => istioProblems(v).map((p) => `${p.rule} ${p.path}`);

describe('VirtualService rules', () => {
  it('accepts a plain route', () => expect(istioProblems(vs(ok))).toEqual([]));

  it('a rule needs exactly one action', () => {
    expect(rules(vs({ name: 'x' }))).toEqual(['action-required spec.http[0]']);
    expect(rules(vs({ ...ok, redirect: { uri: '/' } }))).toEqual(['conflicting-actions spec.http[0].route']);
    expect(rules(vs({ directResponse: { status: 200 }, rewrite: { uri: '/' } }))).toEqual(['conflicting-actions spec.http[0].rewrite']);
    expect(rules(vs({ ...ok, delegate: { name: 'd' } }))).toEqual(['conflicting-actions spec.http[0].route']);
  });

  it('weights: non-negative, total above 0 with several destinations', () => {
    const two = (a: number, b: number): HttpRoute => ({ route: [{ destination: { host: 'c', subset: 'a' }, weight: a }, { destination: { host: 'c', subset: 'b' }, weight: b }] });
    expect(rules(vs(two(-1, 101)))).toEqual(['weight-range spec.http[0].route[0].weight']);
    expect(rules(vs(two(0, 0)))).toEqual(['weight-total spec.http[0].route']);
    expect(rules(vs(two(30, 30)))).toEqual([]); // Istio >= 1.15 normalises
  });

  it('mirror: exclusive with mirrors, percentage within 0..100, host required', () => {
    expect(rules(vs({ ...ok, mirror: { host: 'c' }, mirrors: [{ destination: { host: 'd' } }] }))).toEqual(['mirror-exclusive spec.http[0].mirrors']);
    expect(rules(vs({ ...ok, mirror: { host: 'c' }, mirrorPercentage: { value: 150 } }))).toEqual(['mirror-percentage spec.http[0].mirrorPercentage.value']);
    expect(rules(vs({ ...ok, mirror: {} as never }))).toEqual(['crd-schema spec.http[0].mirror.host']);
  });

  it('header matches: token names, non-empty prefix, valid bounded regex, one operator', () => {
    const m = (headers: Record<string, unknown>): HttpRoute => ({ ...ok, match: [{ headers }] });
    expect(rules(vs(m({ 'bad header': { exact: 'a' } })))).toEqual(['header-name spec.http[0].match[0].headers.bad header']);
    expect(rules(vs(m({ h: { prefix: '' } })))).toEqual(['string-match spec.http[0].match[0].headers.h.prefix']);
    expect(rules(vs(m({ h: { regex: '' } })))).toEqual(['string-match spec.http[0].match[0].headers.h.regex']);
    expect(rules(vs(m({ h: { regex: '(' } })))).toEqual(['regex spec.http[0].match[0].headers.h.regex']);
    expect(rules(vs(m({ h: { regex: 'a'.repeat(1025) } })))).toEqual(['regex spec.http[0].match[0].headers.h.regex']);
    expect(rules(vs(m({ ':authority': { regex: 'shop\\..*' } })))).toEqual([]);
    expect(rules(vs(m({ h: { exact: 'a', regex: 'b' } })))).toEqual(['crd-schema spec.http[0].match[0].headers.h']);
    expect(rules(vs(m({ h: {} })))).toEqual([]);
  });

  it('regexes are RE2, as istiod compiles them: RE2-only syntax passes, what RE2 refuses fails', () => {
    const m = (regex: string): HttpRoute => ({ ...ok, match: [{ headers: { h: { regex } } }] });
    for (const accepted of ['(?i).*chrome.*', '\\pL+', '(?P<v>v[0-9]+)', '[[:alpha:]]+', 'a\\z']) expect(rules(vs(m(accepted)))).toEqual([]);
    for (const refused of ['(?=a)b', '(a)\\1']) expect(rules(vs(m(refused)))).toEqual(['regex spec.http[0].match[0].headers.h.regex']);
    expect(() => assertValidInput(vs(m('(?=a)b')))).toThrow('VirtualService ns/catalog: spec.http[0].match[0].headers.h.regex: not a valid RE2 regular expression');
  });

  it('uri, authority and query parameter matches follow the same string-match rules', () => {
    expect(rules(vs({ ...ok, match: [{ authority: { prefix: '' }, queryParams: { q: { regex: '[' } } }] }))).toEqual([
      'string-match spec.http[0].match[0].authority.prefix',
      'regex spec.http[0].match[0].queryParams.q.regex',
    ]);
    // istiod allows an empty uri prefix (Envoy's path match does), not an empty uri regex.
    expect(rules(vs({ ...ok, match: [{ uri: { prefix: '' } }] }))).toEqual([]);
    expect(rules(vs({ ...ok, match: [{ uri: { regex: '' } }] }))).toEqual(['string-match spec.http[0].match[0].uri.regex']);
  });

  it('hosts: [] or none is a delegate, as istiod reads it: accepted, but refused with gateways, tcp or tls', () => {
    const noHosts = (spec: Partial<VirtualService['spec']>) => ({ ...vs(ok), spec: { ...vs(ok).spec, hosts: [], ...spec } });
    expect(() => assertValidInput(noHosts({ gateways: ['mesh'] }))).toThrow('VirtualService ns/catalog: spec.hosts: no hosts: istiod refuses a VirtualService without hosts (a delegate) that has `gateways`; expected at least one host');
    expect(rules(noHosts({}))).toEqual([]);
    const { hosts: _h, ...withoutHosts } = vs(ok).spec;
    expect(rules({ ...vs(ok), spec: withoutHosts })).toEqual([]);
  });

  it('a field HTTPRoute does not have (e.g. the removed websocketUpgrade) is refused with istiod\'s reason; both proto spellings pass', () => {
    expect(() => assertValidInput(vs({ ...ok, websocketUpgrade: true }))).toThrow(
      'VirtualService ns/catalog: spec.http[0].websocketUpgrade: cannot parse proto message: unknown field "websocketUpgrade" in istio.networking.v1alpha3.HTTPRoute (removed from the API: WebSocket upgrades need no setting; delete the field)',
    );
    expect(rules(vs({ ...ok, mirror_percentage: { value: 5 }, mirror: { host: 'a' } }))).toEqual([]);
  });

  it('subset names are DNS-1123 labels', () => {
    expect(rules(vs({ route: [{ destination: { host: 'c', subset: 'V_1' } }] }))).toEqual(['subset-name spec.http[0].route[0].destination.subset']);
  });
});

describe('DestinationRule rules', () => {
  const dr = (subsets: DestinationRule['spec']['subsets']): DestinationRule => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'c' }, spec: { host: 'c', subsets } });
  it('subset names are unique DNS-1123 labels', () => {
    // Istio's DNS-1123 label allows upper case (pkg/config/labels), not '_'.
    expect(rules(dr([{ name: 'a' }, { name: 'a' }, { name: 'B_1' }, { name: 'B' }]))).toEqual(['subset-unique spec.subsets[1].name', 'subset-name spec.subsets[2].name']);
  });
  it('labels are strings', () => {
    expect(rules(dr([{ name: 'a', labels: { version: 2 as never } }]))).toEqual(['crd-schema spec.subsets[0].labels.version']);
  });
});

describe('who is to blame', () => {
  const bad = vs({ ...ok, mirrorPercentage: { value: -1 }, mirror: { host: 'c' } });
  it('a bad input is an InputError naming object and field', () => {
    expect(() => assertValidInput(bad)).toThrow(InputError);
    expect(() => assertValidInput(bad)).toThrow('VirtualService ns/catalog: spec.http[0].mirrorPercentage.value: mirror_percentage must have a min value of 0 (it has -1.000000)');
  });
  it('a bad produced object is a bug: a plain Error naming the rule', () => {
    let caught: unknown;
    try {
      assertValidProduced(bad);
    } catch (e) {
      caught = e;
    }
    expect(caught).not.toBeInstanceOf(InputError);
    expect((caught as Error).message).toBe('istio-canary produced an invalid VirtualService ns/catalog: rule mirror-percentage at spec.http[0].mirrorPercentage.value: mirror_percentage must have a min value of 0 (it has -1.000000)');
  });
});

describe('a live object nested deeper than any Istio object needs', () => {
  it('is refused by the plan with the field where the nesting starts, before any recursive step could overflow', async () => {
    const { planRelease } = await import('../../../src/routing/virtual-service/plan.ts');
    const { canarySpec } = await import('../plan/helpers.ts');
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const live = vs({ ...ok, name: 'primary' }, { match: [{ uri: { prefix: '/x' } }], ...ok, extra: deep } as HttpRoute);
    for (const tolerant of [false, true]) {
      expect(() => planRelease(canarySpec({ route: 'primary' }), live, undefined, { tolerateExistingProblems: tolerant })).toThrow(
        'VirtualService ns/catalog: spec.http[1].extra[0][0]…: nested more than 100 levels deep; expected at most 100 levels of lists and mappings',
      );
    }
  });
});
