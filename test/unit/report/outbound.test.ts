import { describe, expect, it } from 'vitest';
import { renderOutbound } from '../../../src/report/outbound.ts';

describe('the outbound section of the report', () => {
  it('shows the mode and where it came from, the entries, and every warning', () => {
    const text = renderOutbound({
      mode: 'REGISTRY_ONLY',
      source: 'Sidecar istioinaction/forum (outboundTrafficPolicy.mode)',
      warnings: ['cannot read ConfigMap istio-system/istio: forbidden'],
      entries: [
        { host: 'jsonplaceholder.typicode.com', kind: 'create', entry: 'istioinaction/egress-jsonplaceholder.typicode.com' },
        { host: '*.example.com', kind: 'reuse', entry: 'shared/wildcard' },
      ],
      gateWarnings: ['2 call(s) to "evil.example.net" left through PassthroughCluster, not in egress.hosts; stable none (new with the canary)'],
    });
    expect(text).toBe(
      [
        '**Outbound traffic:** REGISTRY\\_ONLY — Sidecar istioinaction/forum \\(outboundTrafficPolicy.mode\\)',
        '',
        '- jsonplaceholder.typicode.com: ServiceEntry istioinaction/egress-jsonplaceholder.typicode.com created',
        '- \\*.example.com: ServiceEntry shared/wildcard reused',
        '',
        '> ⚠️ cannot read ConfigMap istio-system/istio: forbidden',
        '> ⚠️ egress gate \\(policy warn\\): 2 call\\(s\\) to &quot;evil.example.net&quot; left through PassthroughCluster, not in egress.hosts; stable none \\(new with the canary\\)',
      ].join('\n'),
    );
  });

  it('a host from telemetry cannot break out of its line or make a link', () => {
    const text = renderOutbound({ mode: 'ALLOW_ANY', source: 'x', warnings: [], entries: [], gateWarnings: ['1 call(s) to "a\n# b](http://x)<img>"'] });
    expect(text.split('\n')).toHaveLength(3);
    expect(text).not.toContain('<img>');
    expect(text).not.toContain('](http://');
  });
});
