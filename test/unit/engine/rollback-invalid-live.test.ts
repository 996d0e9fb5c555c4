// A rollback that cannot be planned because someone made the live VirtualService invalid: the
// message must say the canary still has its traffic and what to fix, not that the cluster is unreachable.
import { expect, test } from 'vitest';
import { ClusterError } from '../../../src/errors.ts';
import type { VirtualService } from '../../../src/istio/types.ts';
import { BAKE, NS, world } from './harness.ts';

test('an invalid foreign edit mid-stage: the failed rollback names the field to fix and says to abort after fixing it', async () => {
  const w = world({ health: (t) => (t.canaryWeight >= 10 ? 0 : 1) });
  w.clock.at(w.clock.now() + w.spec.settle + 2 * BAKE + 1000, () => {
    w.routing.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
      vs.spec.http![0]!.match = [{ uri: { regex: '(?<=a)b' } }];
    });
  });
  const error = await w.exec('run').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ClusterError);
  const message = (error as Error).message;
  expect(message).toContain('spec.http[0].match[0].uri.regex: not a valid RE2 regular expression');
  expect(message).toContain('the routing was left as it is');
  expect(message).toContain('fix that field, then run `istio-canary abort`');
  expect(message).not.toContain('once the cluster answers');
});
