// supersede on a VirtualService a GitOps controller manages: the refusal comes before the first write,
// so the release under way is not rolled back and no holder of ours is left behind.
import { expect, test } from 'vitest';
import { OwnershipError } from '../../../src/errors.ts';
import type { VirtualService } from '../../../src/istio/types.ts';
import { HOLDER_TIMEOUT, NS, spec, world } from './harness.ts';

test('supersede under Argo CD is refused before it rolls the old release back', async () => {
  const s = spec();
  s.stages[1] = { ...s.stages[1]!, pause: true };
  const w = world({ spec: s });
  expect((await w.exec('run')).status).toBe('paused');
  // Argo CD starts managing the VirtualService while v2 is paused.
  w.routing.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
    vs.metadata.annotations = { ...vs.metadata.annotations, 'argocd.argoproj.io/tracking-id': 'shop:networking.istio.io/VirtualService:istioinaction/catalog' };
  });
  const before = w.vs();
  const v3 = spec();
  v3.canary = { subset: 'version-v3', labels: { version: 'v3' }, workload: 'catalog-v3', version: 'v3' };
  const error = await w
    .exec('run', { spec: v3, holder: { id: 'run-2' }, options: { holderTimeoutMs: HOLDER_TIMEOUT, supersede: true, forceConflicts: false } })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OwnershipError);
  expect((error as Error).message).toContain('managed by Argo CD');
  expect(w.vs()).toEqual(before);
});
