// One Service per version (Flagger's and Argo Rollouts' layout): the owned route holds the canary's own
// Service at weight 0; the release shifts between the two hosts with no subsets, never writes the
// DestinationRule, promotes to the canary Service alone and rolls back to the stable one.
import { expect, test } from 'vitest';
import type { DestinationRule, HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { ADMIN_ROUTE, NS, liveVirtualService, spec, world } from './harness.ts';

const STABLE = 'catalog-stable';
const CANARY = 'catalog-canary';

function hostsVs(): VirtualService {
  const vs = liveVirtualService();
  vs.spec.http = [structuredClone(ADMIN_ROUTE), { route: [{ destination: { host: STABLE }, weight: 100 }, { destination: { host: CANARY }, weight: 0 }] }];
  return vs;
}

const hostSpec = () =>
  spec({
    stable: { subset: STABLE, host: STABLE, labels: {}, workload: STABLE },
    canary: { subset: CANARY, host: CANARY, labels: {}, workload: CANARY },
  });

const catchAll = (vs: VirtualService): HttpRoute => vs.spec.http!.find((r) => !r.match)!;
const hosts = (r: HttpRoute) => (r.route ?? []).map((d) => [d.destination.host, d.destination.subset ?? null, d.weight ?? null]);

test('run promotes to the canary Service; no subset and no DestinationRule write', async () => {
  const w = world({ spec: hostSpec(), vs: hostsVs() });
  const dr = structuredClone(w.routing.peek<DestinationRule>('DestinationRule', NS, 'catalog'));
  const result = await w.exec('run');
  expect(result.status).toBe('promoted');
  expect(hosts(catchAll(w.vs()))).toEqual([[CANARY, null, null]]);
  expect(w.vs().spec.http![0]).toEqual(ADMIN_ROUTE);
  expect(w.routing.peek<DestinationRule>('DestinationRule', NS, 'catalog')).toEqual(dr);
});

test('a failing gate rolls back to the stable Service with the canary held at weight 0', async () => {
  let calls = 0;
  const w = world({ spec: hostSpec(), vs: hostsVs(), health: () => (++calls > 3 ? 0 : 1) });
  const result = await w.exec('run');
  expect(result.status).toBe('rolled-back');
  expect(hosts(catchAll(w.vs()))).toEqual([[STABLE, null, 100], [CANARY, null, 0]]);
  expect(w.vs().spec.http!.filter((r) => r.name?.startsWith('catalog-dark-launch'))).toEqual([]);
});

test('a route named by `route:` stays readable once promoted to the canary Service alone: run and status read it, rollback returns it', async () => {
  const vs = hostsVs();
  vs.spec.http![1]!.name = 'primary';
  const w = world({ spec: { ...hostSpec(), route: 'primary' }, vs });
  expect((await w.exec('run')).status).toBe('promoted');
  expect(hosts(catchAll(w.vs()))).toEqual([[CANARY, null, null]]);
  // Before, the named route was refused: "no destination has host 'catalog-stable' (found: 'catalog-canary')".
  expect((await w.exec('run')).status).toBe('promoted');
  expect((await w.exec('status')).status).toBe('promoted');
});
