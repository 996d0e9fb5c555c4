import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveHost } from '../../../src/istio/hosts.ts';
import { hostMatches } from '../../sim/hosts.ts';
import { escapeLabelValue } from '../../sim/telemetry.ts';
import { parseExposition } from './exposition.ts';

describe('host names', () => {
  it.each([
    ['catalog', 'catalog.shop.svc.cluster.local'],
    ['catalog.other', 'catalog.other'],
    ['catalog.other.svc', 'catalog.other.svc'],
    ['catalog.other.svc.cluster.local', 'catalog.other.svc.cluster.local'],
    ['catalog.istioinaction.io', 'catalog.istioinaction.io'],
    ['*.shop.svc.cluster.local', '*.shop.svc.cluster.local'],
  ])('%s in namespace shop means %s (only a dotless host is qualified)', (host, fqdn) => {
    expect(resolveHost(host, 'shop', 'cluster.local')).toBe(fqdn);
  });

  it.each([
    ['*', 'anything.example.com', true],
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'api.example.com.evil.io', false],
    ['api.example.com', 'API.example.com', false],
  ])('%s matches %s: %s', (pattern, host, expected) => {
    expect(hostMatches(pattern, host)).toBe(expected);
  });
});

describe('label values in the exposition format', () => {
  it('any workload name survives escaping and reading back', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const text = `istio_requests_total{source_workload="${escapeLabelValue(value)}"} 1\n`;
        expect(parseExposition(text)[0]!.labels.source_workload).toBe(value);
      }),
    );
  });
});
