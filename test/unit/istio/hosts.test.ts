import { describe, expect, it } from 'vitest';
import { lookAlikeHosts, resolveHost, sameHost, serviceNamespace } from '../../../src/istio/hosts.ts';

// Istio's ResolveShortnameToFQDN (pilot, the analyzers): only a host without a dot gets the namespace.
describe('host resolution as Istio does it', () => {
  it('a short name and the fully qualified name in the same namespace are one host', () => {
    expect(resolveHost('catalog', 'istioinaction')).toBe('catalog.istioinaction.svc.cluster.local');
    expect(sameHost('catalog', 'catalog.istioinaction.svc.cluster.local', 'istioinaction')).toBe(true);
  });

  it('name.namespace and name.namespace.svc are literal hosts, not the service', () => {
    for (const literal of ['catalog.istioinaction', 'catalog.istioinaction.svc']) {
      expect(resolveHost(literal, 'istioinaction')).toBe(literal);
      expect(sameHost(literal, 'catalog', 'istioinaction')).toBe(false);
      expect(sameHost(literal, 'catalog.istioinaction.svc.cluster.local', 'istioinaction')).toBe(false);
    }
  });

  it('no case folding and no trailing-dot trimming: pilot looks hosts up by the exact name', () => {
    expect(sameHost('Catalog', 'catalog', 'istioinaction')).toBe(false);
    expect(sameHost('catalog.istioinaction.svc.cluster.local.', 'catalog', 'istioinaction')).toBe(false);
  });

  it("a short name resolves relative to the resource's namespace", () => {
    expect(resolveHost('catalog', 'default')).toBe('catalog.default.svc.cluster.local');
    expect(sameHost('catalog', 'catalog.istioinaction', 'default')).toBe(false);
  });

  it('external names, wildcards and IP addresses stay as written', () => {
    expect(resolveHost('catalog.istioinaction.io', 'istioinaction')).toBe('catalog.istioinaction.io');
    expect(resolveHost('*.example.com', 'x')).toBe('*.example.com');
    expect(resolveHost('*', 'x')).toBe('*');
    expect(resolveHost('::1', 'x')).toBe('::1');
    expect(sameHost('catalog.istioinaction.io', 'catalog', 'istioinaction')).toBe(false);
  });

  it('look-alike hosts: what a Kubernetes reader takes for one service and Istio does not', () => {
    expect(lookAlikeHosts('checkout.prod', 'checkout', 'prod')).toEqual({ a: 'checkout.prod', b: 'checkout.prod.svc.cluster.local', fqdn: 'checkout.prod.svc.cluster.local' });
    expect(lookAlikeHosts('checkout', 'checkout.prod.svc.cluster.local', 'prod')).toBeUndefined();
    expect(lookAlikeHosts('checkout', 'reviews', 'prod')).toBeUndefined();
  });

  it('the namespace of a Kubernetes service host', () => {
    expect(serviceNamespace('catalog', 'shop')).toBe('shop');
    expect(serviceNamespace('catalog.other.svc.cluster.local', 'shop')).toBe('other');
    expect(serviceNamespace('catalog.other', 'shop')).toBeUndefined();
    expect(serviceNamespace('api.example.com', 'shop')).toBeUndefined();
  });
});
