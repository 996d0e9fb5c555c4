// Drift on an HTTPRoute, on the local API server with the simulator as Istio's controller: during the
// 10 % stage someone sets the owned rule's weights to 70 % canary; the stage reads the route back at
// its next evaluation, fails naming the change and who made it, and the route is put back rule for
// rule. A deleted header rule is put back with a warning and the release goes on.
import { describe, expect, it } from 'vitest';
import type { HTTPRoute } from '../../src/routing/http-route/types.ts';
import { waitFor } from '../env/cluster.ts';
import { editAs } from './support/field-manager.ts';
import { assertRouteRestored, newRouteRelease, readRoute, routeReleases, routeState, waitForRouteStage, type RouteRelease } from './support/http-route-release.ts';
import { runCli } from './support/release-fixture.ts';

const track = routeReleases();

/** Edits the live HTTPRoute as kubectl would (a PUT under its own field manager). */
function kubectlEdit(release: RouteRelease, edit: (route: HTTPRoute) => HTTPRoute): Promise<unknown> {
  return editAs(release.kc, { kind: 'HTTPRoute', namespace: release.ns, name: 'catalog' }, 'kubectl-edit', (o) => edit(o as unknown as HTTPRoute) as never);
}

describe.concurrent('release on an HTTPRoute: routing changed by someone else', () => {
  it('weights set to 70 % canary during the 10 % stage: the stage fails naming the change, and the route is restored', async () => {
    const release = await track(newRouteRelease('hr-drift-weight', 'sidecar', { bake: '8s' }));
    const run = runCli(release, 'run');
    await waitForRouteStage(release, '02-weight-10', 90_000);
    await kubectlEdit(release, (route) => ({
      ...route,
      spec: {
        ...route.spec,
        rules: route.spec.rules!.map((r) => (r.name === 'main' ? { ...r, backendRefs: [{ name: 'catalog-v1', port: 80, weight: 30 }, { name: 'catalog-v2', port: 80, weight: 70 }] } : r)),
      },
    }));
    const result = await run;

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the routing of stage 02-weight-10 was changed by someone else (last written by "kubectl-edit"): the canary weight is 70% (the stage set 10%)');
    const route = await readRoute(release);
    assertRouteRestored(release, route);
    const state = routeState(route)!;
    expect(state.status).toBe('rolled-back');
    const stage = state.history.find((h) => h.stage === '02-weight-10')!;
    expect(stage.result).toBe('failed');
    expect(stage.canaryWeight).toBe(10);
  });

  it('the header rule deleted during the mirror stage: put back with a warning, and the release is promoted', async () => {
    const release = await track(newRouteRelease('hr-drift-header', 'sidecar', { bake: '6s' }));
    const run = runCli(release, 'run');
    await waitForRouteStage(release, '01-mirror', 90_000);
    await kubectlEdit(release, (route) => ({ ...route, spec: { ...route.spec, rules: route.spec.rules!.filter((r) => r.name !== 'catalog-dark-launch') } }));
    await waitFor(async () => ((await readRoute(release)).spec.rules!.some((r) => r.name === 'catalog-dark-launch') ? true : undefined), { timeoutMs: 60_000, what: `${release.ns}: the header rule back` });
    const result = await run;

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('the header rule catalog-dark-launch of stage 01-mirror was deleted by someone else (last written by "kubectl-edit"); adding it back');
    expect(routeState(await readRoute(release))?.status).toBe('promoted');
  });
});
