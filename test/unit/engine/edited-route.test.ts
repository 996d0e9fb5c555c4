// The spec's `route` (which http route the canary owns) edited while a release is under way: the
// release must be rolled back on the route it used, never left with canary traffic there, and the
// route it did not own must not be turned into a canary split.
import { expect, test } from 'vitest';
import type { HttpRoute } from '../../../src/istio/types.ts';
import { ADMIN_ROUTE, HOLDER_TIMEOUT, adminRouteOf, liveVirtualService, spec, world } from './harness.ts';

// Here the admin route sends to the stable version too, so either route could be the owned one: the
// release starts on the catch-all, chosen by its index.
const ADMIN_TO_STABLE: HttpRoute = { ...ADMIN_ROUTE, route: [{ destination: { host: 'catalog', subset: 'version-v1' } }] };

function pausedAtTenPercent() {
  const s = spec({ route: 1 });
  s.stages[2] = { ...s.stages[2]!, pause: true };
  const vs = liveVirtualService();
  vs.spec.http![0] = structuredClone(ADMIN_TO_STABLE);
  return { s, w: world({ spec: s, vs }) };
}

const catchAll = (http: HttpRoute[] | undefined) => http?.find((r) => !r.match);
const toCanary = (route: HttpRoute | undefined) => (route?.route ?? []).some((d) => d.destination.subset === 'version-v2' && (d.weight ?? 100) > 0);

test('abort with a spec whose route was edited rolls back the route the release used', async () => {
  const { s, w } = pausedAtTenPercent();
  expect((await w.exec('run')).status).toBe('paused');
  const result = await w.exec('abort', { spec: { ...s, route: 'admin' } });
  expect(result.status).toBe('rolled-back');
  expect(toCanary(catchAll(w.vs().spec.http))).toBe(false);
  expect(adminRouteOf(w.vs())).toEqual(ADMIN_TO_STABLE);
});

test('supersede with a spec whose route was edited rolls the old release back on its own route', async () => {
  const { s, w } = pausedAtTenPercent();
  expect((await w.exec('run')).status).toBe('paused');
  const edited = { ...s, route: 'admin', stages: [{ kind: 'weight' as const, bake: 1_000, pause: true, weight: 10 }] };
  await w.exec('run', { spec: edited, holder: { id: 'run-2' }, options: { holderTimeoutMs: HOLDER_TIMEOUT, supersede: true, forceConflicts: false } });
  expect(toCanary(catchAll(w.vs().spec.http))).toBe(false);
});
