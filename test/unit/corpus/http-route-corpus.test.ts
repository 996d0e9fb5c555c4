// Every HTTPRoute corpus entry (test/corpus/http-route) planned or refused as the corpus records
// it, as a user's first run; a refusal carries the recorded words and names the route and field (or
// the spec file and line). Istio's own conversion judges the planned ones in the oracle project
// (test/oracle/http-route-corpus.test.ts).
import { describe, expect, it } from 'vitest';
import { loadHttpRouteCorpus, planHttpRouteEntry } from '../../corpus/http-route.ts';

const entries = loadHttpRouteCorpus();

describe('the corpus of real-world HTTPRoutes', () => {
  it('has entries from every source, planned and refused ones', () => {
    const sources = new Set(entries.map((e) => e.id.split('/')[0]));
    expect([...sources].sort()).toEqual(['argo-rollouts', 'envoy-gateway', 'flagger', 'gateway-api', 'istio-tasks']);
    expect(entries.some((e) => e.expect === 'planned') && entries.some((e) => e.expect !== 'planned')).toBe(true);
  });

  it.each(entries.map((e) => [e.id, e] as const))('%s', (_id, entry) => {
    const outcome = planHttpRouteEntry(entry);
    if (entry.expect === 'planned') {
      expect(outcome.kind === 'refused' ? outcome.message : 'planned').toBe('planned');
      return;
    }
    expect(outcome.kind === 'refused' ? outcome.message : 'planned').toContain(entry.expect.refused);
    if (outcome.kind !== 'refused') return;
    // Where: the route and field, or the spec file and line.
    expect(outcome.message).toMatch(/^HTTPRoute \S+: spec\.\S*: |^\S+\.yaml:\d+:\d+ spec\.\S+: /);
  });
});
