// The local API server serves the Gateway API's own CRDs (sigs.k8s.io/gateway-api, pinned in
// test/env/gateway-api-crds.ts) and enforces their schema as a cluster would: an HTTPRoute with a
// RequestMirror percentage is stored as written; one out of range, or with both percent and
// fraction (the CRD's CEL rule), is refused with the schema's message.

import { describe, expect, it } from 'vitest';
import type { RouteFilter } from '../../src/routing/http-route/types.ts';
import { apiFailure, applyGatewayApi, getGatewayApi, kubeConfig, uniqueNamespace, type GatewayApiObject } from '../env/cluster.ts';
import { catalogRoute } from './support/http-route-release.ts';

function route(namespace: string, mirror: Record<string, unknown>): GatewayApiObject {
  const mirrorFilter = { type: 'RequestMirror', requestMirror: { backendRef: { name: 'catalog-v2', port: 80 }, ...mirror } } as RouteFilter;
  return catalogRoute(namespace, [{ backendRefs: [{ name: 'catalog-v1', port: 80 }], filters: [mirrorFilter] }]) as unknown as GatewayApiObject;
}

const mirrorOf = (o: GatewayApiObject) =>
  (o.spec!['rules'] as Array<{ filters: Array<{ requestMirror: Record<string, unknown> }> }>)[0]!.filters[0]!.requestMirror;

describe('Gateway API CRDs on the local API server', () => {
  it('stores an HTTPRoute with a RequestMirror percent or fraction, with a generation', async () => {
    const kc = kubeConfig();
    const ns = uniqueNamespace('gwapi-crd');
    await applyGatewayApi(kc, route(ns, { percent: 30 }), { fieldManager: 'test' });
    const stored = await getGatewayApi(kc, 'HTTPRoute', ns, 'catalog');
    expect(mirrorOf(stored)).toMatchObject({ percent: 30 });
    expect(stored.metadata.generation).toBe(1);
    await applyGatewayApi(kc, route(ns, { fraction: { numerator: 1, denominator: 3 } }), { fieldManager: 'test' });
    const again = await getGatewayApi(kc, 'HTTPRoute', ns, 'catalog');
    expect(mirrorOf(again)).toMatchObject({ fraction: { numerator: 1, denominator: 3 } });
    expect(again.metadata.generation).toBe(2);
  });

  it('refuses a percent over 100 and percent together with fraction', async () => {
    const kc = kubeConfig();
    const ns = uniqueNamespace('gwapi-crd');
    const tooMuch = await apiFailure(() => applyGatewayApi(kc, route(ns, { percent: 101 }), { fieldManager: 'test' }));
    expect(tooMuch.code).toBe(422);
    expect(tooMuch.message).toMatch(/percent.*less than or equal to 100/);
    const both = await apiFailure(() => applyGatewayApi(kc, route(ns, { percent: 10, fraction: { numerator: 1 } }), { fieldManager: 'test' }));
    expect(both.code).toBe(422);
    expect(both.message).toContain('Only one of percent or fraction may be specified');
  });
});
