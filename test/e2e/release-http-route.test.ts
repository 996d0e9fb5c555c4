// Releases on an HTTPRoute through the CLI in apply mode, on the real API server with the simulator
// as Istio's Gateway API controller and data plane: in a sidecar mesh and behind an ambient
// waypoint, a healthy canary is promoted stage by stage, a canary failing at any stage is rolled
// back with every rule as it was and no traffic left on it, and `abort` rolls back a running
// release. Behind a waypoint nobody reports mirrored requests in Istio's metrics, so a release with
// a mirror stage there is judged by the canary's own request counter (a custom check). Each write
// waits for the route's status (Accepted/ResolvedRefs for its generation); a refused route fails
// with the controller's message.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, type SpecOptions } from './support/release-fixture.ts';
import {
  APP_ERRORS_CHECK,
  applyCohortStealer,
  assertRouteRestored,
  newRouteRelease,
  readRoute,
  routeReleases,
  routeState,
  versionLive,
  versionMirrored,
  waitForRouteStage,
  WAYPOINT_MIRROR_SPEC,
  writtenPart,
} from './support/http-route-release.ts';

const track = routeReleases();

describe.concurrent('release on an HTTPRoute', () => {
  it.each(['sidecar', 'waypoint'] as const)('%s: every stage passes and the canary is promoted', async (dataPlane) => {
    const release = await track(newRouteRelease(`hr-ok-${dataPlane}`, dataPlane));
    const reportFile = `${release.dir}/report.md`;
    const run = runCli(release, 'run', ['--report', reportFile]);
    const dark = await waitForRouteStage(release, '00-dark-launch');
    expect(dark.spec.rules!.map((r) => r.name)).toEqual(['health', 'catalog-dark-launch', 'main']);
    const result = await run;
    expect(result.stderr).not.toMatch(/rolling back/);
    expect(result.code).toBe(0);
    const route = await readRoute(release);
    expect(routeState(route)?.status).toBe('promoted');
    const main = route.spec.rules!.find((r) => r.name === 'main')!;
    expect(main.backendRefs!.map((b) => [b.name, b.weight])).toEqual([['catalog-v2', 1]]);
    expect(route.spec.rules!.find((r) => r.name === 'health')).toEqual(release.initialRoute.spec.rules![0]);
    expect(main.filters).toEqual(release.initialRoute.spec.rules![1]!.filters);
    const report = readFileSync(reportFile, 'utf8');
    expect(report).toContain(`HTTPRoute ${release.ns}/catalog`);
    expect(report).toContain(dataPlane === 'waypoint' ? 'reporter="waypoint"' : 'reporter="destination"');
    const before = await release.sim.stats(release.ns, 'catalog');
    const after = await release.sim.send(release.ns, 'catalog', 100);
    expect(versionLive(after, release.ns, 'v1')).toBe(versionLive(before, release.ns, 'v1'));
  });

  it('waypoint: a mirror stage judged by the canary\'s own request counter sees the mirrored requests, and the canary is promoted', async () => {
    const release = await track(newRouteRelease('hr-ok-wp-mirror', 'waypoint', WAYPOINT_MIRROR_SPEC));
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(0);
    const route = await readRoute(release);
    const state = routeState(route)!;
    expect(state.status).toBe('promoted');
    const mirror = state.history.find((h) => h.stage === '01-mirror')!;
    // Shadows only: the cohort left the canary with the dark launch, and no weight goes to it yet.
    expect(mirror).toMatchObject({ result: 'passed', mirrorPercentage: 50, canaryWeight: 0, headerRule: false });
    const final = mirror.evaluations.at(-1)!.verdicts.find((v) => v.check === APP_ERRORS_CHECK.name)!;
    expect(final).toMatchObject({ status: 'pass', value: 0 });
    expect(versionMirrored(await release.sim.stats(release.ns, 'catalog'), release.ns, 'v2')).toBeGreaterThan(0);
    expect(route.spec.rules!.find((r) => r.name === 'main')!.backendRefs!.map((b) => [b.name, b.weight])).toEqual([['catalog-v2', 1]]);
  });

  // Every stage of each release shape: sidecars with the default stages; a waypoint without a mirror
  // stage, judged by the built-in checks (reporter="waypoint"); a waypoint with a mirror stage,
  // judged by the canary's own request counter.
  const SHAPES = {
    sidecar: { dataPlane: 'sidecar', spec: {}, check: 'success' },
    waypoint: { dataPlane: 'waypoint', spec: {}, check: 'success' },
    'waypoint, mirror judged by the app': { dataPlane: 'waypoint', spec: WAYPOINT_MIRROR_SPEC, check: APP_ERRORS_CHECK.name },
  } as const satisfies Record<string, { dataPlane: 'sidecar' | 'waypoint'; spec: SpecOptions; check: string }>;

  it.each([
    ['sidecar', '00-dark-launch'],
    ['sidecar', '01-mirror'],
    ['sidecar', '02-weight-10'],
    ['sidecar', '03-weight-50'],
    ['sidecar', '04-weight-100'],
    ['waypoint', '00-dark-launch'],
    ['waypoint', '01-weight-10'],
    ['waypoint', '02-weight-50'],
    ['waypoint', '03-weight-100'],
    ['waypoint, mirror judged by the app', '01-mirror'],
  ] as const)('%s: v2 failing during %s is rolled back; the route is as before and v2 gets no traffic', async (shape, stage) => {
    const { dataPlane, spec, check } = SHAPES[shape];
    const release = await track(newRouteRelease(`hr-fail-${dataPlane}`, dataPlane, { bake: '6s', ...spec }));
    const run = runCli(release, 'run');
    // Reaching the last stage takes four bakes of 6 s, longer on a loaded machine.
    await waitForRouteStage(release, stage, 150_000);
    await release.sim.setProfile(release.ns, 'catalog-v2', 'v2', { errorRatio: 0.6, errorCode: 500 });
    const result = await run;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('catalog was rolled back');
    const route = await readRoute(release);
    assertRouteRestored(release, route);
    const state = routeState(route)!;
    expect(state.status).toBe('rolled-back');
    const failed = state.history.filter((h) => h.result === 'failed');
    expect(failed.map((h) => h.stage)).toEqual([stage]);
    expect(failed[0]!.evaluations.flatMap((e) => e.verdicts).filter((v) => v.status === 'fail').map((v) => v.check)).toContain(check);
    // The route in effect sends v2 nothing: no live request and no mirrored one.
    const before = await release.sim.stats(release.ns, 'catalog');
    const after = await release.sim.send(release.ns, 'catalog', 100);
    expect([versionLive(after, release.ns, 'v2'), versionMirrored(after, release.ns, 'v2')]).toEqual([versionLive(before, release.ns, 'v2'), versionMirrored(before, release.ns, 'v2')]);
  });

  it('sidecar: abort during a weight stage rolls back', async () => {
    // A long bake in the 10 % stage only: the abort surely lands in it, and the stages before pass quickly.
    const stages = [{ darkLaunch: {} }, { mirror: { percentage: 100 } }, { weight: 10, bake: '60s' }, { weight: 50 }, { weight: 100 }];
    const release = await track(newRouteRelease('hr-abort', 'sidecar', { bake: '6s', stages }));
    const run = spawnCli(release, 'run');
    await waitForRouteStage(release, '02-weight-10', 90_000);
    const abort = await runCli(release, 'abort');
    expect(abort.code).toBe(0);
    await run.done;
    const route = await readRoute(release);
    assertRouteRestored(release, route);
    expect(routeState(route)?.status).toBe('rolled-back');
  });

  it('a canary Service that does not exist: the first write is refused by Istio with its message, and nothing is left', async () => {
    const release = await track(newRouteRelease('hr-refused', 'sidecar'));
    await release.sim.deleteService(release.ns, 'catalog-v2');
    const result = await runCli(release, 'run');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`backend(catalog-v2.${release.ns}.svc.cluster.local) not found`);
    assertRouteRestored(release, await readRoute(release));
  });

  it('another HTTPRoute on the same parent that would take part of the cohort: the plan is refused naming it, and nothing is written', async () => {
    const release = await track(newRouteRelease('hr-sibling', 'sidecar'));
    await applyCohortStealer(release);
    const before = await readRoute(release);
    const result = await runCli(release, 'run');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`HTTPRoute ${release.ns}/tenant-gold spec.rules[0].matches[0] ranks between the dark-launch match and the owned match`);
    const after = await readRoute(release);
    expect(writtenPart(after)).toEqual(writtenPart(before));
  });
});

