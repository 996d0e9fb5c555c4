// The spec's `route` (which http route the canary owns) edited while a release is under way: the
// release must be rolled back on the route it used, never left with canary traffic there, and the
// route it did not own must not be turned into a canary split.
import { expect, test } from 'vitest';
import type { HttpRoute } from '../../../src/istio/types.ts';
import { ADMIN_ROUTE, HOLDER_TIMEOUT, adminRouteOf, spec, world } from './harness.ts';

function pausedAtTenPercent() {
  const s = spec();
  s.stages[2] = { ...s.stages[2]!, pause: true };
  return { s, w: world({ spec: s }) };
}

const catchAll = (http: HttpRoute[] | undefined) => http?.find((r) => !r.match);
const toCanary = (route: HttpRoute | undefined) => (route?.route ?? []).some((d) => d.destination.subset === 'version-v2' && (d.weight ?? 100) > 0);

test('abort with a spec whose route was edited rolls back the route the release used', async () => {
  const { s, w } = pausedAtTenPercent();
  expect((await w.exec('run')).status).toBe('paused');
  const result = await w.exec('abort', { spec: { ...s, route: 'admin' } });
  expect(result.status).toBe('rolled-back');
  expect(toCanary(catchAll(w.vs().spec.http))).toBe(false);
  expect(adminRouteOf(w.vs())).toEqual(ADMIN_ROUTE);
});

test('supersede with a spec whose route was edited rolls the old release back on its own route', async () => {
  const { s, w } = pausedAtTenPercent();
  expect((await w.exec('run')).status).toBe('paused');
  const edited = { ...s, route: 'admin', stages: [{ kind: 'weight' as const, bake: 1_000, pause: true, weight: 10 }] };
  await w.exec('run', { spec: edited, holder: { id: 'run-2' }, options: { holderTimeoutMs: HOLDER_TIMEOUT, supersede: true, forceConflicts: false } });
  expect(toCanary(catchAll(w.vs().spec.http))).toBe(false);
});
