// One step per invocation on an HTTPRoute behind an ambient waypoint: `run` stops at a paused stage,
// `status --json` shows the state the route carries, `advance` moves on but never skips a bake, and
// `promote` finishes from the middle; each write waits for Istio's acceptance of the route.
import { describe, expect, it } from 'vitest';
import type { HTTPRoute } from '../../src/routing/http-route/types.ts';
import { newRouteRelease, readRoute, routeReleases, routeState, writtenPart } from './support/http-route-release.ts';
import { runCli } from './support/release-fixture.ts';

const track = routeReleases();

const PAUSED_AT_10 = [{ darkLaunch: {}, bake: '3s' }, { weight: 10, bake: '3s', pause: true }, { weight: 50, bake: '10m' }, { weight: 100 }];

/** The owned rule's backends as [name, weight]. */
const mainBackends = (route: HTTPRoute) => route.spec.rules!.find((r) => r.name === 'main')!.backendRefs!.map((b) => [b.name, b.weight]);

describe('release on an HTTPRoute: step commands', () => {
  it('waypoint: run stops at a paused stage; status --json shows it; advance never skips a bake; promote from the middle', async () => {
    const release = await track(newRouteRelease('hr-steps', 'waypoint', { stages: PAUSED_AT_10 }));

    const run = await runCli(release, 'run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('catalog: paused at 01-weight-10, canary weight 10%');
    const paused = await readRoute(release);
    expect(routeState(paused)).toMatchObject({ status: 'paused', stageIndex: 1 });
    expect(mainBackends(paused)).toEqual([['catalog-v1', 90], ['catalog-v2', 10]]);

    const status = await runCli(release, 'status', ['--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual(routeState(paused));

    const again = await runCli(release, 'run');
    expect(again.code).toBe(0);
    expect(writtenPart(await readRoute(release))).toEqual(writtenPart(paused));

    const advanced = await runCli(release, 'advance');
    expect(advanced.code, advanced.stderr).toBe(0);
    const at50 = await readRoute(release);
    expect(routeState(at50)).toMatchObject({ status: 'in-progress', stageIndex: 2 });
    expect(mainBackends(at50)).toEqual([['catalog-v1', 50], ['catalog-v2', 50]]);
    const early = await runCli(release, 'advance');
    expect(early.code).toBe(0);
    expect(early.stderr).toMatch(/stage 02-weight-50 stays: it has baked \d+s of 600s/);
    expect(routeState(await readRoute(release))).toMatchObject({ status: 'in-progress', stageIndex: 2 });

    const promoted = await runCli(release, 'promote');
    expect(promoted.code, promoted.stderr).toBe(0);
    const route = await readRoute(release);
    expect(routeState(route)?.status).toBe('promoted');
    expect(mainBackends(route)).toEqual([['catalog-v2', 1]]);
    expect(route.spec.rules!.find((r) => r.name === 'health')).toEqual(release.initialRoute.spec.rules![0]);
    expect(route.spec.rules!.some((r) => r.name === 'catalog-dark-launch')).toBe(false);
    const shown = JSON.parse((await runCli(release, 'status', ['--json'])).stdout) as { status: string };
    expect(shown.status).toBe('promoted');
  });
});
