// A release with one Service per version on the local mesh, in Argo Rollouts' layout: `catalog-stable`
// and `catalog-canary` are two Services whose pods run under ONE workload name (`catalog`), told apart
// by a label. The checks judge each version by its Service: `destination_service` as the client's proxy
// reports it (the cluster the route chose), which the simulator labels the same way; the simulator
// also confirms the traffic of every stage.
import { describe, expect, it } from 'vitest';
import { createIstio, type IstioObject } from '../env/cluster.ts';
import type { ServiceStats } from '../sim/stats.ts';
import {
  COHORT_HEADER,
  disposedAfterAll,
  readVs,
  releaseWorkspace,
  routesOf,
  runCli,
  runToPausedStage,
  specDocument,
  spawnCli,
  stateOf,
  waitForSimulator,
  waitForStage,
  type HttpRoute,
  type Release,
} from './support/release-fixture.ts';
import { withinBinomial } from './support/traffic.ts';

const STABLE = 'catalog-stable';
const CANARY = 'catalog-canary';
/** Both versions' pods belong to one Rollout: one workload name in Istio's metrics. */
const WORKLOAD = 'catalog';
const HEADER_SHARE = 0.2;
const BURST = 300;

const toHost = (host: string, weight?: number) => ({ destination: { host }, ...(weight === undefined ? {} : { weight }) });
const ADMIN: HttpRoute = { name: 'admin', match: [{ uri: { prefix: '/admin' } }], route: [toHost(STABLE)] };

/** No mirror stage: shadow requests are reported under the workload alone, which both versions share here (the spec refuses it). */
const STAGES = [
  { darkLaunch: { headers: { [COHORT_HEADER]: { exact: 'internal' } } }, pause: true },
  { weight: 50, pause: true },
];

const track = disposedAfterAll([STABLE, CANARY]);

/** The spec of the VirtualService release, with a Service per version and one workload for both. */
function perServiceSpec(ns: string, stages: Array<Record<string, unknown>>, bake: string): Record<string, unknown> {
  const doc = specDocument(ns, { stages, bake }) as { spec: Record<string, unknown> };
  const { host: _host, ...spec } = doc.spec;
  doc.spec = { ...spec, stable: { host: STABLE, workload: WORKLOAD }, canary: { host: CANARY, workload: WORKLOAD } };
  return doc;
}

async function perServiceRelease(prefix: string, stages: Array<Record<string, unknown>>, bake: string): Promise<Release> {
  const workspace = releaseWorkspace(prefix, (ns) => perServiceSpec(ns, stages, bake));
  const { ns, kc, sim } = workspace;
  const version = (name: string) => ({ name, workload: WORKLOAD, labels: { app: 'catalog', 'rollouts-pod-template-hash': name } });
  await sim.putService(ns, STABLE, {
    versions: [version('v1')],
    load: { requestsPerSecond: 20, from: `${ns}/webapp`, headers: [{ name: COHORT_HEADER, value: 'internal', share: HEADER_SHARE }] },
  });
  await sim.putService(ns, CANARY, { versions: [version('v2')], load: { requestsPerSecond: 0, from: `${ns}/webapp` } });
  const initialVs: IstioObject = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'catalog', namespace: ns },
    spec: { hosts: [STABLE], http: [structuredClone(ADMIN), { name: 'primary', route: [toHost(STABLE)] }] },
  };
  await createIstio(kc, initialVs);
  return track(Promise.resolve({ ...workspace, adminRoute: ADMIN, initialVs }));
}

/** Live requests the stable and canary Services answered, and shadows the canary got (the load calls the stable host). */
function counts(release: Release, stats: ServiceStats) {
  const canary = stats.versions[`${release.ns}/${CANARY}:v2`];
  return { stable: stats.versions['v1']?.live ?? 0, canary: canary?.live ?? 0, mirrored: canary?.mirrored ?? 0 };
}

async function burstInStage(release: Release, stageId: string) {
  const before = counts(release, await release.sim.stats(release.ns, STABLE));
  const after = counts(release, await release.sim.send(release.ns, STABLE, BURST));
  expect(stateOf(await readVs(release))?.history.at(-1)?.stage).toBe(stageId);
  return { stable: after.stable - before.stable, canary: after.canary - before.canary, mirrored: after.mirrored - before.mirrored };
}

const primary = (routes: HttpRoute[]) => routes.find((r) => r.name === 'primary')!;
const weights = (route: HttpRoute) => route.route!.map((d) => [d.destination.host, d.weight ?? 100]);

describe('release on the local mesh: one Service per version, one workload for both (Argo Rollouts layout)', () => {
  it('goes through every stage to promotion, judged by Service; the simulator confirms each stage', async () => {
    const release = await perServiceRelease('svc-promote', STAGES, '4s');
    const step = (index: number) => runToPausedStage(release, index);

    // Dark launch: the cohort, and only the cohort, reaches the canary Service.
    await step(0);
    const dark = await burstInStage(release, '00-dark-launch');
    expect({ ...dark, within: withinBinomial(dark.canary, dark.stable + dark.canary, HEADER_SHARE) }).toMatchObject({ within: true, mirrored: 0 });

    // 50 %: the route splits between the two Services.
    let vs = await step(1);
    expect(weights(primary(routesOf(vs)))).toEqual([[STABLE, 50], [CANARY, 50]]);
    const half = await burstInStage(release, '01-weight-50');
    expect(withinBinomial(half.canary, half.stable + half.canary, HEADER_SHARE + (1 - HEADER_SHARE) * 0.5)).toBe(true);

    // Every gate judged the canary by its Service as the client's proxy reports it, not by the workload both versions share.
    const verdicts = stateOf(vs)!.history.flatMap((h) => h.evaluations).flatMap((e) => e.verdicts);
    expect(verdicts.length).toBeGreaterThan(0);
    // (an early look may still lack data on a loaded machine; none failed, and each stage passed)
    expect(verdicts.filter((v) => v.status === 'fail')).toEqual([]);
    expect(verdicts.some((v) => v.status === 'pass')).toBe(true);
    expect(stateOf(vs)!.history.filter((h) => h.result === 'passed').map((h) => h.stage)).toEqual(['00-dark-launch']);
    const promql = verdicts.flatMap((v) => v.queries.map((q) => q.promql));
    expect(promql.every((q) => q.includes('reporter="source",destination_service=~') && !q.includes('destination_workload'))).toBe(true);

    // Promotion: the route sends everything to the canary Service, and the simulator agrees.
    expect((await runCli(release, 'advance')).code).toBe(0);
    const done = await runCli(release, 'run');
    expect(done.code, done.stderr).toBe(0);
    vs = await readVs(release);
    expect(stateOf(vs)?.status).toBe('promoted');
    expect(weights(primary(routesOf(vs))).filter(([, w]) => w !== 0)).toEqual([[CANARY, 100]]);
    expect(routesOf(vs).find((r) => r.name === 'admin')).toEqual(ADMIN);
    await waitForSimulator(release, vs);
    const before = counts(release, await release.sim.stats(release.ns, STABLE));
    const after = counts(release, await release.sim.send(release.ns, STABLE, BURST));
    expect({ stable: after.stable - before.stable, canary: after.canary - before.canary }).toEqual({ stable: 0, canary: BURST });
  });

  it('rolls back a canary Service that starts failing at 50 %, although both Services share the workload; live traffic leaves it', async () => {
    const release = await perServiceRelease('svc-fail', STAGES.map(({ pause: _p, ...s }) => s), '6s');
    const run = spawnCli(release, 'run');
    await waitForStage(release, '01-weight-50');
    await release.sim.setProfile(release.ns, CANARY, 'v2', { errorRatio: 0.6, errorCode: 500 });
    const result = await run.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rolled back');
    const vs = await readVs(release);
    const state = stateOf(vs)!;
    expect(state.status).toBe('rolled-back');
    expect(state.history.find((h) => h.result === 'failed')?.stage).toBe('01-weight-50');
    const failing = state.history.flatMap((h) => h.evaluations).flatMap((e) => e.verdicts).find((v) => v.status === 'fail');
    expect(failing?.value).toBeLessThan(95);
    expect(failing?.queries.some((q) => q.promql.includes(`${CANARY}\\\\.${release.ns}`))).toBe(true);
    expect(weights(primary(routesOf(vs))).filter(([, w]) => w !== 0)).toEqual([[STABLE, 100]]);
    expect(routesOf(vs).some((r) => r.mirror !== undefined || JSON.stringify(r.match ?? []).includes(COHORT_HEADER))).toBe(false);

    await waitForSimulator(release, vs);
    const before = counts(release, await release.sim.stats(release.ns, STABLE));
    const after = counts(release, await release.sim.send(release.ns, STABLE, BURST));
    expect({ stable: after.stable - before.stable, canary: after.canary - before.canary, mirrored: after.mirrored - before.mirrored }).toEqual({ stable: BURST, canary: 0, mirrored: 0 });
  });

  it('rolls back a canary Service without ready endpoints in the dark launch: its client-side failures (UH) count against it', async () => {
    const release = await perServiceRelease('svc-uh', STAGES.map(({ pause: _p, ...s }) => s), '3s');
    await release.sim.putService(release.ns, CANARY, { versions: [{ name: 'v2', workload: WORKLOAD, readyReplicas: 0 }], load: { requestsPerSecond: 0, from: `${release.ns}/webapp` } });
    const result = await runCli(release, 'run');
    expect(result.code).toBe(1);
    const state = stateOf(await readVs(release))!;
    expect(state.status).toBe('rolled-back');
    expect(state.history.find((h) => h.result === 'failed')?.stage).toBe('00-dark-launch');
    const failing = state.history.flatMap((h) => h.evaluations).flatMap((e) => e.verdicts).find((v) => v.status === 'fail');
    expect(failing?.value).toBeLessThan(95);
    // What the simulator saw: the cohort's requests were answered 503 UH by the client's proxy.
    const stats = await release.sim.stats(release.ns, STABLE);
    expect(stats.local['503 UH'] ?? 0).toBeGreaterThan(0);
  });
});
