// Drift: a stage reads its routing back at every evaluation. A change it did not make fails the stage
// (rollback) naming what changed; a deleted header rule is put back with a warning.
import { expect, test } from 'vitest';
import type { VirtualService } from '../../../src/istio/types.ts';
import { ADMIN_ROUTE, adminRouteOf, NS, STABLE, world, type Traffic } from './harness.ts';

/** Runs a release, making `edit` once, by hand (kubectl), as soon as the traffic is `when`. */
function driftingWorld(when: (t: Traffic) => boolean, edit: (vs: VirtualService) => void) {
  let done = false;
  const w = world({
    health: (traffic) => {
      if (!done && when(traffic)) {
        done = true;
        w.routing.edit<VirtualService>('VirtualService', NS, 'catalog', edit, 'kubectl-edit');
      }
      return 1;
    },
  });
  return w;
}

const owned = (vs: VirtualService) => vs.spec.http!.find((r) => !r.match)!;

test('someone sets the owned route to 70 % canary during the 10 % stage: the stage fails, naming what changed', async () => {
  const w = driftingWorld((t) => t.canaryWeight === 10, (vs) => {
    owned(vs).route = [{ destination: { host: 'catalog', subset: 'version-v1' }, weight: 30 }, { destination: { host: 'catalog', subset: 'version-v2' }, weight: 70 }];
  });
  const result = await w.exec('run');
  expect(result.status).toBe('rolled-back');
  expect(result.failure).toContain('the routing of stage 02-weight-10 was changed by someone else (last written by "kubectl-edit"): the canary weight is 70% (the stage set 10%)');
  expect(w.traffic()).toEqual(STABLE);
  expect(adminRouteOf(w.vs())).toEqual(ADMIN_ROUTE);
  // The evaluation measured at 70 % is not recorded as the 10 % stage's.
  const stage = w.state()!.history.find((r) => r.stage === '02-weight-10')!;
  expect(stage.result).toBe('failed');
  expect(stage.evaluations).toEqual([]);
});

test('someone removes the mirror during the mirror stage: the stage fails', async () => {
  const w = driftingWorld((t) => t.mirror > 0, (vs) => {
    delete owned(vs).mirror;
    delete owned(vs).mirrorPercentage;
  });
  const result = await w.exec('run');
  expect(result.status).toBe('rolled-back');
  expect(result.failure).toContain('the mirror to the canary is 0% (the stage set 50%)');
});

test('someone deletes the header rule: it is added back with a warning and the release goes on', async () => {
  const w = driftingWorld((t) => t.header, (vs) => {
    vs.spec.http = vs.spec.http!.filter((r) => r.name !== 'catalog-dark-launch');
  });
  const result = await w.exec('run');
  expect(result.status).toBe('promoted');
  expect(w.log.messages('warning').filter((l) => l.includes('was deleted by someone else'))).toEqual([
    'VirtualService istioinaction/catalog: the header rule catalog-dark-launch of stage 00-dark-launch was deleted by someone else (last written by "kubectl-edit"); adding it back',
  ]);
  // Put back at the next evaluation, before the stage moved on.
  expect(w.written().slice(0, 3).map((t) => t.header)).toEqual([true, false, true]);
});
