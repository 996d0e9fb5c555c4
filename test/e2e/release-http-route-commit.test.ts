// Commit mode on an HTTPRoute: the route lives in a manifest file of a real git repository, a sync loop
// playing Argo CD applies the branch head, the simulator (as Istio's controller) writes its status, and
// the CLI releases by committing; each stage bakes once its commit is synced and Istio accepted the
// route's generation. Checked in git history, in the API server and in the simulator's traffic.
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../env/cluster.ts';
import { disposeCommitRelease, ROUTING_FILE } from './support/commit-fixture.ts';
import { newCommitRouteRelease, routeFile, type CommitRouteRelease } from './support/http-route-commit.ts';
import { applyCohortStealer, assertRouteRestored, readRoute, routeReleases, routeState, versionLive, waitForRouteStage } from './support/http-route-release.ts';
import { runCli } from './support/release-fixture.ts';

const track = routeReleases();
const commitReleases: CommitRouteRelease[] = [];
afterAll(async () => {
  for (const release of commitReleases) await disposeCommitRelease(release);
});

async function newRelease(prefix: string, bake: string): Promise<CommitRouteRelease> {
  const release = (await track(newCommitRouteRelease(prefix, { spec: { bake, settle: '300ms' } }))) as CommitRouteRelease;
  commitReleases.push(release);
  return release;
}

/** The route once the controller has applied the rollback commit. */
function rolledBackInCluster(release: CommitRouteRelease) {
  return waitFor(async () => {
    const live = await readRoute(release);
    return routeState(live)?.status === 'rolled-back' ? live : undefined;
  }, { timeoutMs: 30_000, what: `${release.ns}: the rollback applied by the controller` });
}

function subjects(release: CommitRouteRelease): string[] {
  return release.remote.bare('log', '--reverse', '--format=%s', 'main').trim().split('\n');
}

describe.concurrent('commit mode on an HTTPRoute', () => {
  it('a full release: one commit per stage, each accepted by Istio before it bakes, promoted in git, in the cluster and in traffic', async () => {
    const release = await newRelease('hr-commit-ok', '4s');
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(0);
    expect(subjects(release)).toEqual([
      'initial manifests',
      'canary(catalog): dark launch catalog-v2 behind a header [1/5]',
      'canary(catalog): mirror 100% to catalog-v2 [2/5]',
      'canary(catalog): shift 10% to catalog-v2 [3/5]',
      'canary(catalog): shift 50% to catalog-v2 [4/5]',
      'canary(catalog): shift 100% to catalog-v2 [5/5]',
      'canary(catalog): promote catalog-v2',
    ]);
    // The file keeps every byte outside the owned rule: the comment and the foreign rule as written.
    const file = release.remote.show(ROUTING_FILE);
    expect(file.split('\n')[0]).toBe(routeFile(release.ns).split('\n')[0]);
    expect(file).toContain('value: /healthz');
    // The controller applied the promotion; Istio (the simulator) accepted that generation.
    const route = await waitFor(async () => {
      const live = await readRoute(release);
      return routeState(live)?.status === 'promoted' ? live : undefined;
    }, { timeoutMs: 30_000, what: `${release.ns}: the promotion applied by the controller` });
    const main = route.spec.rules!.find((r) => r.name === 'main')!;
    expect(main.backendRefs!.map((b) => [b.name, b.weight])).toEqual([['catalog-v2', 1]]);
    expect(route.spec.rules!.find((r) => r.name === 'health')).toEqual(release.initialRoute.spec.rules![0]);
    const status = (route as unknown as { status?: { parents?: Array<{ conditions?: Array<{ type: string; status: string; observedGeneration?: number }> }> } }).status;
    const conditions = status?.parents?.[0]?.conditions ?? [];
    for (const type of ['Accepted', 'ResolvedRefs']) expect(conditions.find((c) => c.type === type)).toMatchObject({ status: 'True', observedGeneration: route.metadata['generation'] });
    const before = await release.sim.stats(release.ns, 'catalog');
    const after = await release.sim.send(release.ns, 'catalog', 100);
    expect(versionLive(after, release.ns, 'v1')).toBe(versionLive(before, release.ns, 'v1'));
    expect(versionLive(after, release.ns, 'v2')).toBeGreaterThan(versionLive(before, release.ns, 'v2'));
  });

  it('a failing canary: the rollback is a commit, and the cluster and the traffic go back to stable', async () => {
    const release = await newRelease('hr-commit-fail', '8s');
    const run = runCli(release, 'run');
    await waitForRouteStage(release, '02-weight-10', 120_000);
    await release.sim.setProfile(release.ns, 'catalog-v2', 'v2', { errorRatio: 0.6, errorCode: 500 });
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('catalog was rolled back');
    expect(subjects(release).at(-1)).toBe('canary(catalog): roll back to catalog-v1');
    const route = await rolledBackInCluster(release);
    assertRouteRestored(release, route);
    expect(routeState(route)!.history.find((h) => h.result === 'failed')?.stage).toBe('02-weight-10');
    const before = await release.sim.stats(release.ns, 'catalog');
    const after = await release.sim.send(release.ns, 'catalog', 100);
    expect(versionLive(after, release.ns, 'v2')).toBe(versionLive(before, release.ns, 'v2'));
  });

  it('a route Istio refuses (the canary Service does not exist): the synced commit is not in effect, the run fails with the controller\'s message and rolls back by a commit', async () => {
    const release = await newRelease('hr-commit-refused', '4s');
    await release.sim.deleteService(release.ns, 'catalog-v2');
    const result = await runCli(release, 'run');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`backend(catalog-v2.${release.ns}.svc.cluster.local) not found`);
    expect(subjects(release).at(-1)).toBe('canary(catalog): roll back to catalog-v1');
    const route = await rolledBackInCluster(release);
    assertRouteRestored(release, route);
  });

  it('another HTTPRoute only in the cluster (not in the repository) that would take part of the cohort: refused naming it, nothing committed', async () => {
    const release = await newRelease('hr-commit-sibling', '4s');
    await applyCohortStealer(release);
    const result = await runCli(release, 'run');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`HTTPRoute ${release.ns}/tenant-gold spec.rules[0].matches[0] ranks between the dark-launch match and the owned match`);
    expect(subjects(release)).toEqual(['initial manifests']);
  });
});

