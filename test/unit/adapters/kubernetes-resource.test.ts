// The resource path of a kind without discovery, as kubectl guesses it: a wrong plural reads as
// "not served" (a 404 without a Status) and would be retried to the deadline.
import { describe, expect, it } from 'vitest';
import { resourceOf } from '../../../src/adapters/kubernetes.ts';

describe('resourceOf', () => {
  it.each([
    ['networking.istio.io/v1', 'VirtualService', 'virtualservices'],
    ['networking.istio.io/v1', 'ServiceEntry', 'serviceentries'],
    ['gateway.networking.k8s.io/v1', 'Gateway', 'gateways'],
    ['gateway.networking.k8s.io/v1', 'GatewayClass', 'gatewayclasses'],
    ['gateway.networking.k8s.io/v1', 'HTTPRoute', 'httproutes'],
    ['security.istio.io/v1', 'AuthorizationPolicy', 'authorizationpolicies'],
    ['coordination.k8s.io/v1', 'Lease', 'leases'],
  ])('%s %s → %s', (apiVersion, kind, plural) => {
    expect(resourceOf({ apiVersion, kind, namespace: 'shop' })).toEqual({ group: apiVersion.split('/')[0], version: 'v1', namespace: 'shop', plural });
  });

  it('a core kind has no group', () => {
    expect(resourceOf({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'istio-system' })).toMatchObject({ group: '', version: 'v1', plural: 'configmaps' });
  });
});
