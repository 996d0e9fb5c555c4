import { describe, expect, it } from 'vitest';
import { resolveHost, sameHost } from '../../../src/istio/hosts.ts';

describe('host resolution as Istio does it', () => {
  it('short, namespace-qualified and fully qualified names in the same namespace are one host', () => {
    const forms = ['catalog', 'catalog.istioinaction', 'catalog.istioinaction.svc', 'catalog.istioinaction.svc.cluster.local', 'Catalog.istioinaction.svc.cluster.local.'];
    for (const a of forms) for (const b of forms) expect(sameHost(a, b, 'istioinaction')).toBe(true);
  });

  it('a short name resolves relative to the resource\'s namespace', () => {
    expect(resolveHost('catalog', 'default')).toBe('catalog.default.svc.cluster.local');
    expect(sameHost('catalog', 'catalog.istioinaction', 'default')).toBe(false);
  });

  it('external names and wildcards stay as written', () => {
    expect(resolveHost('catalog.istioinaction.io', 'istioinaction')).toBe('catalog.istioinaction.io');
    expect(resolveHost('*.example.com', 'x')).toBe('*.example.com');
    expect(sameHost('catalog.istioinaction.io', 'catalog', 'istioinaction')).toBe(false);
  });
});
