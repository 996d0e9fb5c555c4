// Someone makes another route of the live VirtualService invalid mid-release: the next forward
// plan refuses it, and the rollback still goes through — it plans around problems the live object
// already has, puts the owned route on stable and leaves the foreign route exactly as it found it.
import { expect, test } from 'vitest';
import type { VirtualService } from '../../../src/istio/types.ts';
import { BAKE, NS, STABLE, world } from './harness.ts';

test('an invalid foreign edit mid-stage: rolled back to stable, the reason names the field, the foreign route left as it is', async () => {
  const w = world({ health: (t) => (t.canaryWeight >= 10 ? 0 : 1) });
  const invalidMatch = [{ uri: { regex: '(?<=a)b' } }];
  w.clock.at(w.clock.now() + w.spec.settle + 2 * BAKE + 1000, () => {
    w.routing.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
      vs.spec.http![0]!.match = structuredClone(invalidMatch);
    });
  });
  const result = await w.exec('run');
  expect(result.status).toBe('rolled-back');
  expect(result.failure).toContain('spec.http[0].match[0].uri.regex: not a valid RE2 regular expression');
  expect(w.traffic()).toEqual(STABLE);
  expect(w.vs().spec.http![0]!.match).toEqual(invalidMatch);
});
