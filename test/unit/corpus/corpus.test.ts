// Every corpus entry (test/corpus) planned or refused as the corpus records it; a refusal carries
// the recorded words and names where the problem is. Istio's own code judges the planned ones in the
// oracle project (test/oracle/corpus.test.ts).
import { describe, expect, it } from 'vitest';
import { loadCorpus, planEntry } from '../../corpus/corpus.ts';

const entries = loadCorpus();

describe('the corpus of real-world VirtualServices', () => {
  it('has entries from every source', () => {
    const sources = new Set(entries.map((e) => e.id.split('/')[0]));
    expect([...sources].sort()).toEqual(['argo-rollouts', 'flagger', 'istio-samples', 'istio-tasks', 'istio-testdata']);
  });

  it.each(entries.map((e) => [e.id, e] as const))('%s', (_id, entry) => {
    const outcome = planEntry(entry);
    if (entry.expect === 'planned') {
      expect(outcome.kind === 'refused' ? outcome.message : 'planned').toBe('planned');
      if (outcome.kind !== 'planned') return;
      if (entry.owned) expect(outcome.plan.routes?.owned).toEqual(entry.owned);
      expect(outcome.plan.routes?.shadowed).toEqual(entry.shadowed ?? []);
      return;
    }
    expect(outcome.kind).toBe('refused');
    if (outcome.kind !== 'refused') return;
    expect(outcome.message).toContain(entry.expect.refused);
    // Where: the object and field, or the spec file and line.
    expect(outcome.message).toMatch(/^(VirtualService|DestinationRule) \S+: spec\.\S*: |^\S+\.yaml:\d+:\d+ spec\.\S+: /);
  });
});
