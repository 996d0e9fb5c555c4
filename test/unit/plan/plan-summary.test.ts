import { describe, expect, it } from 'vitest';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { planSummaryMarkdown } from '../../../src/report/plan-summary.ts';
import { canarySpec, seedVirtualService } from './helpers.ts';

describe('plan summary markdown', () => {
  it('has one row per stage, promotion and rollback, with the traffic numbers', () => {
    const spec = canarySpec();
    const md = planSummaryMarkdown(planRelease(spec, seedVirtualService('mesh-virtualservice.yaml')), spec);
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows.map((r) => r.split(' | ').slice(0, 4).join(' | '))).toEqual([
      '| `00-dark-launch` | 0% |  | ✓',
      '| `01-mirror` | 0% | 100% | ✓',
      '| `02-weight-10` | 10% |  | ✓',
      '| `03-weight-50` | 50% |  | ✓',
      '| `04-weight-100` | 100% |  | ✓',
      '| `promoted` | 100% |  | ',
      '| `rollback` | 0% |  | ',
    ]);
    expect(rows[0]).toContain('| 5m |');
  });

  it('marks the stage the live VirtualService is in', () => {
    const spec = canarySpec({ stages: canarySpec().stages.slice(2) });
    const md = planSummaryMarkdown(planRelease(spec, seedVirtualService('traffic-shifting.yaml')), spec);
    expect(md).toContain('| `00-weight-10` ← current |');
  });

  it('escapes markdown in user-given names', () => {
    const spec = canarySpec({ name: 'cat|<b>alog', host: 'catalog' });
    const md = planSummaryMarkdown(planRelease(spec, seedVirtualService('mesh-virtualservice.yaml')), spec);
    expect(md).toContain('### Canary plan: cat\\|&lt;b&gt;alog (istioinaction/catalog)');
    expect(md).not.toContain('<b>');
  });
});
