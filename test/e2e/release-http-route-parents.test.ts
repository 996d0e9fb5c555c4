// Parents Istio does not serve. Istio's controller skips a parentRef to a Gateway that does not exist
// or belongs to another controller's GatewayClass, and writes no status for it (the simulator does the
// same). A release waits for Istio's acceptance only on the parents Istio serves, and says once which
// it did not wait for; a release on a route none of whose parents Istio serves writes nothing.
import { afterAll, describe, expect, it } from 'vitest';
import type { HTTPRoute, ParentRef } from '../../src/routing/http-route/types.ts';
import { applyGatewayApi, applyGatewayClass, deleteGatewayClass, type GatewayApiObject } from '../env/cluster.ts';
import { initialRoute, newRouteRelease, readRoute, routeReleases, routeState, writtenPart, type RouteRelease } from './support/http-route-release.ts';
import { disposeCommitRelease } from './support/commit-fixture.ts';
import { newCommitRouteRelease, routeFile, subjects, type CommitRouteRelease } from './support/http-route-commit.ts';
import { runCli } from './support/release-fixture.ts';

const track = routeReleases();
const classes: Array<() => Promise<void>> = [];
const commitReleases: CommitRouteRelease[] = [];
afterAll(async () => {
  for (const remove of classes) await remove();
  for (const release of commitReleases) await disposeCommitRelease(release);
});

const gatewayRef = (name: string): ParentRef => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name });

/** The release's route with other parents, as its owner applies it; the release's initial route is then this one. */
async function withParents(release: RouteRelease, parentRefs: ParentRef[]): Promise<void> {
  const route: HTTPRoute = { ...initialRoute(release.ns), spec: { ...initialRoute(release.ns).spec, parentRefs } };
  await applyGatewayApi(release.kc, route as unknown as GatewayApiObject, { fieldManager: 'test-setup' });
  release.initialRoute = await readRoute(release);
}

/** A Gateway of a GatewayClass whose controller is not Istio's. */
async function foreignGateway(release: RouteRelease, name: string): Promise<string> {
  const className = `foreign-${release.ns}`;
  await applyGatewayClass(release.kc, className, 'example.com/foreign-controller', 'test-setup');
  classes.push(() => deleteGatewayClass(release.kc, className));
  const gateway = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: release.ns },
    spec: { gatewayClassName: className, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  };
  await applyGatewayApi(release.kc, gateway as unknown as GatewayApiObject, { fieldManager: 'test-setup' });
  return className;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('release on an HTTPRoute with parents Istio does not serve', () => {
  it("a Service parent and two Gateway parents Istio does not serve (another controller's class, and one that does not exist): promoted, waiting only for the Service, each skipped parent said once", async () => {
    const release = await track(newRouteRelease('hr-parents', 'sidecar', { stages: [{ darkLaunch: {} }, { weight: 50 }, { weight: 100 }], bake: '3s' }));
    const className = await foreignGateway(release, 'edge');
    await withParents(release, [{ group: '', kind: 'Service', name: 'catalog', port: 80 }, gatewayRef('edge'), gatewayRef('gone')]);

    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(0);
    const route = await readRoute(release);
    expect(routeState(route)?.status).toBe('promoted');
    // Istio's entries name only the Service parent: the run accepted that one alone.
    expect(route.status?.parents?.map((p) => p.parentRef.kind)).toEqual(['Service']);
    const log = result.stdout + result.stderr;
    const skipped = `HTTPRoute ${release.ns}/catalog: not waiting for Istio's acceptance on a parent it does not serve: `;
    expect(occurrences(log, `${skipped}Gateway ${release.ns}/edge is of GatewayClass ${className}, whose controller example.com/foreign-controller is not one Istio programs routes for`)).toBe(1);
    expect(occurrences(log, `${skipped}Gateway ${release.ns}/gone does not exist`)).toBe(1);
    expect(log).not.toContain('was not accepted by Istio within');
  });

  it('no parent Istio serves (its only parent a Gateway that does not exist): refused before any write, naming the parent and why (exit 2)', async () => {
    const release = await track(newRouteRelease('hr-unserved', 'sidecar', { stages: [{ weight: 50 }], bake: '3s' }));
    await withParents(release, [gatewayRef('gone')]);

    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `HTTPRoute ${release.ns}/catalog: spec.parentRefs: Istio serves none of its parents (Gateway ${release.ns}/gone does not exist), so it writes no status for the route and routes nothing by it; expected a parent Istio serves (nothing was written)`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(writtenPart(await readRoute(release))).toEqual(writtenPart(release.initialRoute));
  });

  it('commit mode, no parent Istio serves: refused before any commit, naming the parent and why (exit 2)', async () => {
    const file = (ns: string) => routeFile(ns).replace(/parentRefs:\n(\s+)- group: ""\n\s+kind: Service\n\s+name: catalog\n\s+port: 80\n/, 'parentRefs:\n$1- group: gateway.networking.k8s.io\n$1  kind: Gateway\n$1  name: gone\n');
    expect(file('x')).toContain('name: gone');
    const release = await track(newCommitRouteRelease('hr-unserved-commit', 'sidecar', { spec: { stages: [{ weight: 50 }], bake: '3s' } }, file));
    commitReleases.push(release as CommitRouteRelease);

    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`HTTPRoute ${release.ns}/catalog: spec.parentRefs: Istio serves none of its parents (Gateway ${release.ns}/gone does not exist)`);
    expect(subjects(release as CommitRouteRelease)).toEqual(['initial manifests']);
  });
});
