// A release on a gateway VirtualService shaped like Bookinfo's: several unnamed routes, each with its own
// uri match, all to the stable subset of one host, and no `route:` in the spec. Every one of them is
// owned: through every stage each path's traffic (sent via the gateway) is confirmed by the simulator —
// the cohort on the canary, the mirror, the weights — and the abort puts every path back on stable,
// or the promotion sends every path to the canary alone.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { safeYaml } from '../../src/yaml/safe-yaml.ts';
import { createIstio } from '../env/cluster.ts';
import {
  CANARY_SUBSET,
  COHORT_HEADER,
  STABLE_SUBSET,
  disposedAfterAll,
  newRelease,
  readVs,
  routesOf,
  runCli,
  runToPausedStage,
  specDocument,
  stateOf,
  waitForSimulator,
  type HttpRoute,
  type Release,
} from './support/release-fixture.ts';
import { burstInStage, withinBinomial } from './support/traffic.ts';

const HEADER_SHARE = 0.2;
const BURST = 300;
const to = (subset: string) => [{ destination: { host: 'catalog', subset, port: { number: 80 } } }];

/** Bookinfo's gateway routes, one per path, unnamed, all to catalog's stable subset. */
const ROUTES: HttpRoute[] = [
  { match: [{ uri: { exact: '/productpage' } }], route: to(STABLE_SUBSET) },
  { match: [{ uri: { prefix: '/static' } }], route: to(STABLE_SUBSET), timeout: '30s' },
  { match: [{ uri: { exact: '/login' } }, { uri: { exact: '/logout' } }], route: to(STABLE_SUBSET) },
  { match: [{ uri: { prefix: '/api/v1/products' } }], route: to(STABLE_SUBSET), retries: { attempts: 2, perTryTimeout: '2s' } },
];
/** A request path each route owns. */
const PATHS = ['/productpage', '/static/style.css', '/logout', '/api/v1/products/7'];

const STAGES = [
  { darkLaunch: { headers: { [COHORT_HEADER]: { exact: 'internal' } } }, pause: true },
  { mirror: { percentage: 100 }, pause: true },
  { weight: 50, pause: true },
];

const track = disposedAfterAll();

/** `bake`: long enough for the gates to see the cohort's requests on a loaded machine (the Prometheus window is the bake). */
async function bookinfoRelease(bake = '6s'): Promise<{ release: Release; host: string }> {
  const release = await track(newRelease('gw-routes', { createVs: false, load: { requestsPerSecond: 40, headerShare: HEADER_SHARE }, spec: { stages: STAGES, bake } }));
  const host = `shop.${release.ns}.example.io`;
  // The user's spec names no route: every route to the stable version is released.
  const doc = specDocument(release.ns, { stages: STAGES, bake }) as { spec: Record<string, unknown> };
  delete doc.spec.route;
  writeFileSync(release.specFile, safeYaml(doc));
  await createIstio(release.kc, {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'catalog', namespace: release.ns },
    spec: { hosts: [host], gateways: ['catalog-gateway'], http: structuredClone(ROUTES) },
  });
  // The timed load, which the gates judge, asks for a path the first route owns.
  await release.sim.setLoad(release.ns, 'catalog', { via: { gateway: `${release.ns}/catalog-gateway`, host }, uri: PATHS[0] });
  return { release, host };
}

/** Per path: live requests answered by v1 and v2 and shadow requests v2 got during a burst in `stage`. */
async function perPath(release: Release, stage: string) {
  const out: Array<{ path: string; v1: number; v2: number; v2Mirrored: number }> = [];
  for (const path of PATHS) {
    await release.sim.setLoad(release.ns, 'catalog', { uri: path });
    const t = await burstInStage(release, stage, BURST);
    out.push({ path, v1: t.v1, v2: t.v2, v2Mirrored: t.v2Mirrored });
  }
  return out;
}

const ownRoutes = (routes: HttpRoute[]) => routes.filter((r) => !r.name?.startsWith('catalog-dark-launch'));

/** `run` (after `advance` past the previous paused stage) to paused stage `index`, then each path's traffic in it, confirmed by the simulator. */
async function throughStage(release: Release, index: number): Promise<void> {
  const vs = await runToPausedStage(release, index);
  if (index === 0) {
    // Dark launch: a header rule before each of the four routes; the cohort of every path reaches v2.
    expect(routesOf(vs).map((r) => r.name ?? null)).toEqual(['catalog-dark-launch', null, 'catalog-dark-launch-2', null, 'catalog-dark-launch-3', null, 'catalog-dark-launch-4', null]);
    for (const p of await perPath(release, '00-dark-launch')) {
      expect({ ...p, within: withinBinomial(p.v2, p.v1 + p.v2, HEADER_SHARE) }).toMatchObject({ path: p.path, within: true, v2Mirrored: 0 });
    }
  } else if (index === 1) {
    // Mirror: on every path, everyone outside the cohort is answered by v1 and shadowed to v2.
    for (const p of await perPath(release, '01-mirror')) {
      expect({ path: p.path, mirrored: p.v2Mirrored, within: withinBinomial(p.v2, p.v1 + p.v2, HEADER_SHARE) }).toEqual({ path: p.path, mirrored: p.v1, within: true });
    }
  } else {
    // 50 %: the cohort plus half of everyone else, on every path.
    for (const r of ownRoutes(routesOf(vs))) expect(r.route!.map((d) => [d.destination.subset, d.weight])).toEqual([[STABLE_SUBSET, 50], [CANARY_SUBSET, 50]]);
    const expected = HEADER_SHARE + (1 - HEADER_SHARE) * 0.5;
    for (const p of await perPath(release, '02-weight-50')) {
      expect({ path: p.path, within: withinBinomial(p.v2, p.v1 + p.v2, expected), v2Mirrored: p.v2Mirrored }).toEqual({ path: p.path, within: true, v2Mirrored: 0 });
    }
  }
}

/** Live and shadow requests v2 gets on each path during a burst after the release ended. */
async function v2AfterEnd(release: Release): Promise<Array<{ path: string; v1: number; v2: number; v2Mirrored: number }>> {
  const out = [];
  for (const path of PATHS) {
    await release.sim.setLoad(release.ns, 'catalog', { uri: path });
    const before = await release.sim.stats(release.ns, 'catalog');
    const after = await release.sim.send(release.ns, 'catalog', BURST);
    const delta = (version: string, kind: 'live' | 'mirrored') => (after.versions[version]?.[kind] ?? 0) - (before.versions[version]?.[kind] ?? 0);
    out.push({ path, v1: delta('v1', 'live'), v2: delta('v2', 'live'), v2Mirrored: delta('v2', 'mirrored') });
  }
  return out;
}

/** Each route keeps its own fields (match, timeout, retries) through the release. */
function expectOwnFields(routes: HttpRoute[]): void {
  expect(routes).toHaveLength(ROUTES.length);
  routes.forEach((r, i) => {
    const { route: _r, ...rest } = r;
    const { route: _o, ...original } = ROUTES[i]!;
    expect(rest).toEqual(original);
  });
}

describe('release on the local mesh: a Bookinfo-shaped gateway VirtualService', () => {
  it('owns every matched route: each stage reaches every path, and the abort puts every path back on stable', async () => {
    const { release } = await bookinfoRelease();
    for (const index of [0, 1, 2]) await throughStage(release, index);

    // Abort: every route back on stable (canary weight 0), no header rule, each route's own fields kept.
    const aborted = await runCli(release, 'abort');
    expect(aborted.code, aborted.stderr).toBe(0);
    const vs = await readVs(release);
    expect(stateOf(vs)?.status).toBe('rolled-back');
    expectOwnFields(routesOf(vs));
    for (const r of routesOf(vs)) expect(r.route!.map((d) => [d.destination.subset, d.weight])).toEqual([[STABLE_SUBSET, 100], [CANARY_SUBSET, 0]]);
    await waitForSimulator(release, vs);
    for (const p of await v2AfterEnd(release)) expect({ path: p.path, v2: p.v2, v2Mirrored: p.v2Mirrored }).toEqual({ path: p.path, v2: 0, v2Mirrored: 0 });
  });

  it('goes through every stage to promotion: at the end every path is answered by v2 alone, each route keeping its fields', async () => {
    const { release } = await bookinfoRelease();
    for (const index of [0, 1, 2]) await throughStage(release, index);

    // The last stage passed: advance, and the run promotes every owned route.
    expect((await runCli(release, 'advance')).code).toBe(0);
    const done = await runCli(release, 'run');
    expect(done.code, done.stderr).toBe(0);
    const vs = await readVs(release);
    expect(stateOf(vs)?.status).toBe('promoted');
    expect(stateOf(vs)!.history.filter((h) => h.result === 'passed').map((h) => h.stage)).toEqual(['00-dark-launch', '01-mirror', '02-weight-50']);
    expectOwnFields(routesOf(vs));
    for (const r of routesOf(vs)) expect(r.route!.map((d) => d.destination.subset)).toEqual([CANARY_SUBSET]);
    await waitForSimulator(release, vs);
    // The background load keeps running beside the burst, so v2 answers at least the burst, and v1 none.
    for (const p of await v2AfterEnd(release)) {
      expect({ path: p.path, v1: p.v1, v2Mirrored: p.v2Mirrored }).toEqual({ path: p.path, v1: 0, v2Mirrored: 0 });
      expect(p.v2).toBeGreaterThanOrEqual(BURST);
    }
  });
});
