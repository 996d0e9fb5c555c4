// `status` with no state annotation but canary routing on the VirtualService (the annotation was
// removed by hand): it must not report "rolled back, canary weight 0" while the canary gets traffic.
import { expect, test } from 'vitest';
import type { VirtualService } from '../../../src/istio/types.ts';
import { stateAnnotationKey } from '../../../src/core/state.ts';
import { NS, spec, world } from './harness.ts';

test('status reads the stage from the routing when the state annotation is gone', async () => {
  const s = spec();
  s.stages[2] = { ...s.stages[2]!, pause: true };
  const w = world({ spec: s });
  expect((await w.exec('run')).status).toBe('paused');
  w.routing.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
    delete vs.metadata.annotations![stateAnnotationKey('catalog')];
  });
  const result = await w.exec('status');
  expect(result).toMatchObject({ status: 'in-progress', stage: '02-weight-10', canaryWeight: 10 });
  expect(result.state.reason).toContain('no rollout of catalog is recorded');
  expect(result.state.reason).toContain('read from its routing');
});

test('status of a VirtualService this canary never touched is rolled back with weight 0', async () => {
  const w = world();
  expect(await w.exec('status')).toMatchObject({ status: 'rolled-back', canaryWeight: 0 });
});
