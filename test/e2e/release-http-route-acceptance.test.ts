// Apply mode on an HTTPRoute when Istio does not accept a write: with its Gateway API controller
// silent in the namespace (istiod not serving it), the first stage is not accepted within the spec's
// acceptanceTimeout and neither is its rollback. The run says plainly that the rollback is written but
// not in effect and exits 3; the next run reads the state; once Istio answers, `abort` writes nothing
// and finds the rollback accepted.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../env/cluster.ts';
import { assertRouteRestored, newRouteRelease, readRoute, routeReleases, routeState, versionLive } from './support/http-route-release.ts';
import { runCli, STATE_ANNOTATION } from './support/release-fixture.ts';
import { acceptedNow, withAcceptanceTimeout } from './support/route-acceptance.ts';

const track = routeReleases();

describe('apply mode: an HTTPRoute Istio does not accept', () => {
  it('controller silent: the first write is not accepted within acceptanceTimeout (2s), nor is the rollback: exit 3 saying so; once Istio answers, abort finds the rollback accepted', async () => {
    const release = await track(newRouteRelease('hr-silent', 'sidecar', { bake: '6s' }));
    withAcceptanceTimeout(release.specFile, '2s');
    await release.sim.setGatewayController(release.ns, false);
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(3);
    const notAccepted = `HTTPRoute ${release.ns}/catalog was not accepted by Istio within 2s (spec.acceptanceTimeout; waiting for Accepted of Service catalog:80 for generation`;
    expect(result.stderr).toContain(`rolling back to stable: ${notAccepted}`);
    expect(result.stderr).toContain(`catalog: the rollback is written but not in effect: ${notAccepted}`);
    expect(result.stderr).toContain('then run `istio-canary abort`');
    // The rollback is stored: the rules as before the release, the state rolled back, nobody holding it.
    const stored = await readRoute(release);
    assertRouteRestored(release, stored);
    expect(routeState(stored)?.status).toBe('rolled-back');
    expect(acceptedNow(stored)).toBe(false);
    const status = await runCli(release, 'status', ['--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'rolled-back' });
    expect(JSON.parse(status.stdout).holder).toBeUndefined();
    // Istio answers again: abort writes nothing and returns once the rollback is accepted.
    await release.sim.setGatewayController(release.ns, true);
    const abort = await runCli(release, 'abort');
    expect(abort.code, abort.stderr).toBe(0);
    const route = await readRoute(release);
    expect(route.metadata.generation).toBe(stored.metadata.generation);
    expect(route.metadata.annotations?.[STATE_ANNOTATION]).toBe(stored.metadata.annotations?.[STATE_ANNOTATION]);
    expect(acceptedNow(route)).toBe(true);
    const before = await release.sim.stats(release.ns, 'catalog');
    const after = await release.sim.send(release.ns, 'catalog', 100);
    expect(versionLive(after, release.ns, 'v2')).toBe(versionLive(before, release.ns, 'v2'));
  }, 180_000);

  it('Istio answering: a stage with acceptanceTimeout 30s is accepted and passes (the duration is read as 30 s)', async () => {
    const release = await track(newRouteRelease('hr-timeout-ok', 'sidecar', { bake: '6s', stages: [{ darkLaunch: {} }] }));
    withAcceptanceTimeout(release.specFile, '30s');
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(0);
    const route = await waitFor(async () => {
      const live = await readRoute(release);
      return acceptedNow(live) ? live : undefined;
    }, { timeoutMs: 30_000, what: `${release.ns}: the promoted route accepted` });
    expect(routeState(route)?.status).toBe('promoted');
  }, 180_000);

  it("a route Istio refuses as it is (its stable Service deleted): status says so with Istio's message, and a run is refused by Istio at its first write", async () => {
    const release = await track(newRouteRelease('hr-refused-now', 'sidecar', { stages: [{ weight: 50 }], bake: '3s' }));
    await release.sim.deleteService(release.ns, 'catalog-v1');
    const refused = await waitFor(async () => {
      const live = await readRoute(release);
      const resolved = live.status?.parents?.[0]?.conditions?.find((c) => c.type === 'ResolvedRefs');
      return resolved?.status === 'False' && resolved.observedGeneration === live.metadata.generation ? live : undefined;
    }, { timeoutMs: 30_000, what: `${release.ns}: Istio refusing the route` });
    const said = `catalog: Istio (istio.io/gateway-controller) reports HTTPRoute ${release.ns}/catalog as it is now (generation ${refused.metadata.generation}) not in effect: Service catalog:80: ResolvedRefs is False (BackendNotFound): backend(catalog-v1.${release.ns}.svc.cluster.local) not found`;
    const status = await runCli(release, 'status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toContain(said);
    const run = await runCli(release, 'run');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(said);
    expect(run.stderr).toContain(`HTTPRoute ${release.ns}/catalog was refused by Istio`);
  });
});
