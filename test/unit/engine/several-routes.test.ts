// A release over several owned routes (an /api route with its own timeout and the catch-all, both to
// the stable subset, beside a foreign route): every stage, promotion and rollback covers each of them,
// and drift or a deleted header rule on any one of them is seen.
import { expect, test } from 'vitest';
import type { HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { reportOf } from '../../../src/app/report.ts';
import { ADMIN_ROUTE, NS, liveVirtualService, world } from './harness.ts';

const API_ROUTE: HttpRoute = { match: [{ uri: { prefix: '/api' } }], route: [{ destination: { host: 'catalog', subset: 'version-v1' } }], timeout: '2s' };

function twoOwnedRoutes(): VirtualService {
  const vs = liveVirtualService();
  vs.spec.http = [structuredClone(ADMIN_ROUTE), structuredClone(API_ROUTE), { route: [{ destination: { host: 'catalog', subset: 'version-v1' } }] }];
  return vs;
}

const ownRoutes = (vs: VirtualService) => vs.spec.http!.filter((r) => r.name !== ADMIN_ROUTE.name && !r.name?.startsWith('catalog-dark-launch'));
const subsets = (r: HttpRoute) => (r.route ?? []).map((d) => [d.destination.subset, d.weight ?? null]);

test('run: every stage on both owned routes, then both promoted; the foreign route untouched', async () => {
  const w = world({ vs: twoOwnedRoutes() });
  const result = await w.exec('run');
  expect(result.status).toBe('promoted');
  const vs = w.vs();
  expect(vs.spec.http!.map((r) => r.name ?? null)).toEqual(['admin', null, null]);
  expect(ownRoutes(vs).map(subsets)).toEqual([[['version-v2', null]], [['version-v2', null]]]);
  expect(ownRoutes(vs)[0]!.timeout).toBe('2s');
  expect(vs.spec.http![0]).toEqual(ADMIN_ROUTE);
});

test('a failing gate rolls both owned routes back to stable and removes both header rules', async () => {
  const w = world({ vs: twoOwnedRoutes(), health: (t) => (t.canaryWeight === 10 ? 0 : 1) });
  const result = await w.exec('run');
  expect(result.status).toBe('rolled-back');
  const vs = w.vs();
  expect(vs.spec.http!.filter((r) => r.name?.startsWith('catalog-dark-launch'))).toEqual([]);
  expect(ownRoutes(vs).map(subsets)).toEqual([[['version-v1', 100], ['version-v2', 0]], [['version-v1', 100], ['version-v2', 0]]]);
  expect(vs.spec.http![0]).toEqual(ADMIN_ROUTE);
});

test('drift on the second owned route fails the stage, naming that route', async () => {
  let done = false;
  const w = world({
    vs: twoOwnedRoutes(),
    health: (traffic) => {
      if (!done && traffic.canaryWeight === 10) {
        done = true;
        w.routing.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
          const api = vs.spec.http!.find((r) => r.timeout === '2s' && !r.name?.startsWith('catalog-dark-launch'))!;
          api.route = [{ destination: { host: 'catalog', subset: 'version-v1' }, weight: 30 }, { destination: { host: 'catalog', subset: 'version-v2' }, weight: 70 }];
        }, 'kubectl-edit');
      }
      return 1;
    },
  });
  const result = await w.exec('run');
  expect(result.status).toBe('rolled-back');
  // The live index: the header rule kept from the dark launch sits before it.
  expect(result.failure).toContain('the canary weight on spec.http[2] is 70% (the stage set 10%)');
  expect(ownRoutes(w.vs()).map(subsets)).toEqual([[['version-v1', 100], ['version-v2', 0]], [['version-v1', 100], ['version-v2', 0]]]);
});

test('one of the two header rules deleted by someone: added back with a warning, the release goes on', async () => {
  let done = false;
  const w = world({
    vs: twoOwnedRoutes(),
    health: (traffic) => {
      if (!done && traffic.header) {
        done = true;
        w.routing.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
          vs.spec.http = vs.spec.http!.filter((r) => r.name !== 'catalog-dark-launch-2');
        }, 'kubectl-edit');
      }
      return 1;
    },
  });
  const result = await w.exec('run');
  expect(result.status).toBe('promoted');
  expect(w.log.messages('warning').filter((l) => l.includes('was deleted by someone else'))).toEqual([
    'VirtualService istioinaction/catalog: a header rule (of the 2: catalog-dark-launch to catalog-dark-launch-2) of stage 00-dark-launch was deleted by someone else (last written by "kubectl-edit"); adding it back',
  ]);
});

test('status with no state recorded reads every owned route: one changed by hand means no one stage, said plainly', async () => {
  const vs = twoOwnedRoutes();
  // Only the catch-all was split by hand (the /api route still all on stable); no state annotation.
  vs.spec.http![2]!.route = [{ destination: { host: 'catalog', subset: 'version-v1' }, weight: 90 }, { destination: { host: 'catalog', subset: 'version-v2' }, weight: 10 }];
  const w = world({ vs });
  const result = await w.exec('status');
  expect(result).toMatchObject({ recorded: false, status: 'in-progress', stage: 'unknown' });
  expect(result.state.stageIndex).toBe(-1);
  expect(result.state.reason).toBe(
    'no rollout of catalog is recorded on VirtualService istioinaction/catalog; no one stage: the owned routes disagree (spec.http[1] at all on stable (no trace of the release), spec.http[2] at stage 02-weight-10), so the stage cannot be read from the routing: run abort to put every owned route back on stable',
  );
  const report = reportOf({ spec: w.spec, state: result.state, plan: result.plan, at: new Date(w.clock.now()).toISOString() });
  expect(report).toContain('at no one stage');
  expect(report).toContain('the owned routes disagree');
  expect(w.routing.writeCalls).toBe(0);

  // The same split on both routes is one stage again.
  vs.spec.http![1]!.route = structuredClone(vs.spec.http![2]!.route);
  const agreed = await world({ vs }).exec('status');
  expect(agreed).toMatchObject({ status: 'in-progress', stage: '02-weight-10' });
});
