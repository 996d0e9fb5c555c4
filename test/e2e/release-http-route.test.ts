// Releases on an HTTPRoute through the CLI in apply mode, on the real API server with the simulator
// as Istio's Gateway API controller and data plane: in a sidecar mesh and behind an ambient
// waypoint, a healthy canary is promoted stage by stage, a failing one is rolled back with every
// rule as it was, and `abort` rolls back a running release. Each write waits for the route's status
// (Accepted/ResolvedRefs for its generation); a refused route fails with the controller's message.
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './support/release-fixture.ts';
import { applyCohortStealer, assertRouteRestored, newRouteRelease, readRoute, routeReleases, routeState, versionLive, waitForRouteStage } from './support/http-route-release.ts';

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
    const report = (await import('node:fs')).readFileSync(reportFile, 'utf8');
    expect(report).toContain(`HTTPRoute ${release.ns}/catalog`);
    expect(report).toContain(dataPlane === 'waypoint' ? 'reporter="waypoint"' : 'reporter="destination"');
    const before = await release.sim.stats(release.ns, 'catalog');
    const after = await release.sim.send(release.ns, 'catalog', 100);
    expect(versionLive(after, release.ns, 'v1')).toBe(versionLive(before, release.ns, 'v1'));
  });

  it.each([
    ['sidecar', '00-dark-launch'],
    ['sidecar', '01-mirror'],
    ['sidecar', '02-weight-10'],
    ['waypoint', '00-dark-launch'],
    ['waypoint', '02-weight-50'],
  ] as const)('%s: v2 failing during %s is rolled back; the route is as before', async (dataPlane, stage) => {
    const release = await track(newRouteRelease(`hr-fail-${dataPlane}`, dataPlane, { bake: '6s' }));
    const run = runCli(release, 'run');
    await waitForRouteStage(release, stage);
    await release.sim.setProfile(release.ns, 'catalog-v2', 'v2', { errorRatio: 0.6, errorCode: 500 });
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('catalog was rolled back');
    const route = await readRoute(release);
    assertRouteRestored(release, route);
    const state = routeState(route)!;
    expect(state.status).toBe('rolled-back');
    expect(state.history.find((h) => h.result === 'failed')?.stage).toBe(stage);
    const before = await release.sim.stats(release.ns, 'catalog');
    const after = await release.sim.send(release.ns, 'catalog', 100);
    expect(versionLive(after, release.ns, 'v2')).toBe(versionLive(before, release.ns, 'v2'));
  });

  it('sidecar: abort during a weight stage rolls back', async () => {
    const release = await track(newRouteRelease('hr-abort', 'sidecar', { bake: '20s' }));
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
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });
});

