// Header names in the live routes are taken as istiod takes them: JWT-claim routes
// (`@request.auth.claims.<claim>`, `@request.auth.claims[a][b]`), pseudo-headers and any RFC 7230 token,
// also in withoutHeaders; the header rule copies them beside the cohort header. The cohort header of our
// own rule keeps its stricter rule (a lowercase token), and a JWT-claim route bound to no gateway is
// refused with istiod's reason.
import { describe, expect, it } from 'vitest';
import type { HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import { canarySpec, stage } from '../plan/helpers.ts';

const spec = canarySpec({ stages: [stage.darkLaunch(), stage.weight(50)] });

function vs(http: HttpRoute[], gateways?: string[]): VirtualService {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: 'istioinaction' }, spec: { hosts: ['catalog.example.com'], ...(gateways ? { gateways } : {}), http } };
}
const toCatalog = [{ destination: { host: 'catalog' } }];

describe('header names istiod accepts in live routes', () => {
  const names = ['@request.auth.claims.groups', '@request.auth.claims[nested][key1]', ':authority', 'X-Tenant-ID', 'x_legacy'];

  it.each(names)('%s: the route is owned and its header rule keeps the match beside the cohort header', (name) => {
    const live = vs([{ match: [{ headers: { [name]: { exact: 'a' } }, withoutHeaders: { [name]: { exact: 'b' } } }], route: toCatalog }, { route: toCatalog }], ['catalog-gateway']);
    const plan = planRelease(spec, live);
    expect(plan.routes).toEqual({ owned: [0, 1], shadowed: [] });
    const [rule] = virtualServiceOf(plan.stages[0]!).spec.http!;
    expect(rule!.match).toEqual([{ headers: { [name]: { exact: 'a' }, 'x-istio-cohort': { exact: 'internal' } }, withoutHeaders: { [name]: { exact: 'b' } } }]);
  });

  it('a JWT-claim route bound to no gateway is refused with istiod\'s reason', () => {
    const live = vs([{ match: [{ headers: { '@request.auth.claims.groups': { exact: 'a' } } }], route: toCatalog }]);
    expect(() => planRelease(spec, live)).toThrow('JWT claim based routing (key: @request.auth.claims.groups) is only supported for gateway, found no gateways: []');
  });

  it.each(['@request.auth.claims.groups', 'X-Cohort', ':authority'])('the cohort header of our own rule keeps the stricter rule: %s is refused', (name) => {
    const text = `apiVersion: istio-canary/v1\nkind: Canary\nmetadata: {name: catalog}\nspec:\n  namespace: shop\n  virtualService: catalog\n  host: catalog\n  stable: {labels: {version: v1}}\n  canary: {labels: {version: v2}}\n  stages: [{darkLaunch: {headers: {"${name}": {exact: x}}}}]\n`;
    expect(() => parseCanarySpecs(text, 'canary.yaml')).toThrow(/canary\.yaml:10:\d+ spec\.stages\[0\]\.darkLaunch\.headers/);
  });
});
