// A plan whose dark launch cannot get traffic is not shown as working: an earlier route that already
// catches every request of the header rule is refused, naming that route.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeCovers } from '../../../src/istio/shadowing.ts';
import { blockMatches, type MatchableRequest } from '../../sim/match.ts';
import type { HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { canarySpec, seedDestinationRule } from '../plan/helpers.ts';
import { inputErrorMessage } from '../../support/input-error.ts';
import { virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

const toV1 = { route: [{ destination: { host: 'catalog', subset: 'version-v1' } }] };
const vs = (http: HttpRoute[]): VirtualService => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: 'istioinaction' }, spec: { hosts: ['catalog'], http } });
const plan = (http: HttpRoute[], route?: string, tolerant = false) =>
  planRelease(canarySpec(route ? { route } : {}), vs(http), seedDestinationRule(), { tolerateExistingProblems: tolerant });

const refusal = (http: HttpRoute[], route?: string) => inputErrorMessage(() => plan(http, route));

describe('an earlier route catches the cohort', () => {
  it('the issue\'s case: a route for the cohort header before the owned route', () => {
    const internal: HttpRoute = { name: 'internal-users', match: [{ headers: { 'x-istio-cohort': { exact: 'internal' } } }], ...toV1 };
    expect(refusal([internal, toV1])).toBe(
      "VirtualService istioinaction/catalog: spec.http[0]: the route 'internal-users' comes before the owned route and already catches every request the dark-launch rule would — requests with x-istio-cohort included — so the cohort would never reach the canary; expected the owned route to be the first that such requests reach: move that route after it, narrow its match, or pick another dark-launch header",
    );
  });

  it.each([
    ['the header present at all', { headers: { 'x-istio-cohort': {} } }, undefined],
    ['a prefix of the header value', { headers: { 'x-istio-cohort': { prefix: 'int' } } }, undefined],
    ['a shorter URI prefix than the owned route\'s', { uri: { prefix: '/api' } }, { uri: { prefix: '/api/v2' } }],
    ['the owned route\'s exact URI', { uri: { exact: '/api/v2' } }, { uri: { exact: '/api/v2' } }],
  ])('refused: %s', (_what, earlierBlock, ownedBlock) => {
    const owned: HttpRoute = { name: 'primary', ...(ownedBlock ? { match: [ownedBlock] } : {}), ...toV1 };
    expect(refusal([{ name: 'early', match: [earlierBlock], ...toV1 }, owned], 'primary')).toContain("spec.http[0]: the route 'early' comes before the owned route");
  });

  it.each([
    ['another value of the header', { headers: { 'x-istio-cohort': { exact: 'beta' } } }],
    ['the header and another one (narrower)', { headers: { 'x-istio-cohort': { exact: 'internal' }, 'x-tenant': { exact: 'a' } } }],
    ['a URI the owned route does not restrict to', { uri: { prefix: '/admin' } }],
    ['a case-sensitive URI against a case-insensitive owned route', { uri: { prefix: '/api' } }],
  ])('accepted: %s', (_what, earlierBlock) => {
    const owned: HttpRoute = { name: 'primary', match: [{ uri: { prefix: '/api/v2' }, ignoreUriCase: true }], ...toV1 };
    expect(virtualServiceOf(plan([{ name: 'early', match: [earlierBlock], ...toV1 }, owned], 'primary').stages[0]!).spec.http![1]!.name).toBe('catalog-dark-launch');
  });

  it('names the shadowed block when the owned route has several, the first one included', () => {
    const owned: HttpRoute = { name: 'primary', match: [{ uri: { prefix: '/a/b' } }, { uri: { prefix: '/c' } }], ...toV1 };
    expect(refusal([{ name: 'first', match: [{ uri: { prefix: '/a' } }], ...toV1 }, owned], 'primary')).toContain(
      "the route 'first' comes before the owned route and already catches every request the dark-launch rule would in its block made from spec.http[1].match[0] — requests with x-istio-cohort included",
    );
  });

  it('a route after the owned route never shadows it', () => {
    const internal: HttpRoute = { name: 'internal-users', match: [{ headers: { 'x-istio-cohort': { exact: 'internal' } } }], ...toV1 };
    expect(virtualServiceOf(plan([toV1, internal]).stages[0]!).spec.http!.map((r) => r.name)).toEqual(['catalog-dark-launch', undefined, 'internal-users']);
  });

  it('a rollback is never blocked by it', () => {
    const internal: HttpRoute = { name: 'internal-users', match: [{ headers: { 'x-istio-cohort': { exact: 'internal' } } }], ...toV1 };
    expect(virtualServiceOf(plan([internal, toV1], undefined, true).rollback).spec.http).toHaveLength(2);
  });
});

describe('property: the shadowing test is sound against the mesh simulator\'s matcher', () => {
  const text = fc.stringMatching(/^[a-cA-C/]{0,4}$/);
  const stringMatch = fc.oneof(text.map((exact) => ({ exact })), text.map((prefix) => ({ prefix })), fc.constant({}));
  const block = fc.record(
    {
      uri: fc.oneof(text.map((exact) => ({ exact: `/${exact}` })), text.map((prefix) => ({ prefix: `/${prefix}` }))),
      ignoreUriCase: fc.boolean(),
      headers: fc.dictionary(fc.constantFrom('x-istio-cohort', 'x-tenant'), stringMatch, { maxKeys: 2 }),
      method: fc.constantFrom({ exact: 'GET' }, { prefix: 'P' }),
    },
    { requiredKeys: [] },
  );
  /** A request the rule block matches, built from it (with a random tail where a prefix allows one). */
  const requestFor = (rule: Record<string, unknown>, tail: string, flip: boolean): MatchableRequest => {
    const value = (m: unknown) => {
      const match = (m ?? {}) as { exact?: string; prefix?: string };
      return match.exact ?? `${match.prefix ?? ''}${tail}`;
    };
    const uri = value(rule.uri ?? { prefix: '/' });
    const headers = Object.fromEntries(Object.entries((rule.headers ?? {}) as Record<string, unknown>).map(([k, m]) => [k, value(m)]));
    return { uri: flip && rule.ignoreUriCase === true ? uri.toUpperCase() : uri, headers, method: value(rule.method ?? { exact: 'GET' }), authority: 'catalog', sourceNamespace: 'shop', gateway: 'mesh' };
  };

  it('when it says an earlier route catches a rule block, every request of that block matches the earlier route', () => {
    let covered = 0;
    fc.assert(
      fc.property(block, block, text, fc.boolean(), (earlier, rule, tail, flip) => {
        const request = requestFor(rule, tail, flip);
        fc.pre(blockMatches(rule, request, 'shop'));
        if (!routeCovers({ match: [earlier], route: [] }, rule)) return;
        covered++;
        expect(blockMatches(earlier, request, 'shop')).toBe(true);
      }),
      { numRuns: 5000 },
    );
    expect(covered).toBeGreaterThan(100); // the implication was really exercised
  });
});
