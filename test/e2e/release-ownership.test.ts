// Who may write the VirtualService, on the real local mesh: two runs of one rollout, another
// manager editing a foreign route mid-release, a GitOps-managed VirtualService, one kubectl made.
import { describe, expect, it } from 'vitest';
import { applyIstio } from '../env/cluster.ts';
import { createAs, editAs } from './support/field-manager.ts';
import {
  assertOnStable,
  assertPromoted,
  canonical,
  disposedAfterAll,
  leaseHolder,
  initialVirtualService,
  newRelease,
  readDr,
  readVs,
  routesOf,
  runCli,
  spawnCli,
  stateOf,
  waitForStage,
  type HttpRoute,
} from './support/release-fixture.ts';

const track = disposedAfterAll();

describe.concurrent('release on the local mesh: who writes', () => {
  it('two runs started together on one rollout: exactly one drives it, the other fails naming the holder', async () => {
    const release = await track(newRelease('concurrent', { spec: { bake: '3s' } }));
    const runs = [spawnCli(release, 'run'), spawnCli(release, 'run')];
    await waitForStage(release, '00-dark-launch');
    const holder = await leaseHolder(release);
    const results = await Promise.all(runs.map((r) => r.done));

    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]!.code).toBe(2);
    expect(losers[0]!.stderr).toContain(`another run drives this rollout: ${holder}`);
    // The loser wrote nothing of its own: one history, every stage once, promoted.
    const vs = await readVs(release);
    assertPromoted(release, vs);
    expect(stateOf(vs)!.history.map((h) => h.stage)).toEqual(['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100', 'promoted']);
  });

  it('another manager adding and changing foreign routes during a stage: their edit survives to promotion', async () => {
    const release = await track(newRelease('foreign-edit', { spec: { bake: '4s' } }));
    const run = runCli(release, 'run');
    await waitForStage(release, '02-weight-10');
    const reports: HttpRoute = { name: 'reports', match: [{ uri: { prefix: '/reports' } }], route: [{ destination: { host: 'catalog', subset: 'version-v1' } }] };
    const edited = await editAs(release.kc, { namespace: release.ns, name: 'catalog' }, 'platform-team', (vs) => {
      const http = routesOf(vs).map((r) => (r.name === 'admin' ? { ...r, timeout: '7s' } : r));
      return { ...vs, spec: { ...vs.spec, http: [reports, ...http] } };
    });
    expect(stateOf(edited)?.history.at(-1)?.stage).toBe('02-weight-10');
    const result = await run;
    expect(result.code).toBe(0);

    const vs = await readVs(release);
    const routes = routesOf(vs);
    expect(canonical(routes.find((r) => r.name === 'reports'))).toBe(canonical(reports));
    expect(routes.find((r) => r.name === 'admin')?.['timeout']).toBe('7s');
    expect(routes.map((r) => r.name)).toEqual(['reports', 'admin', 'primary']);
    expect(stateOf(vs)!.status).toBe('promoted');
    expect(routes.find((r) => r.name === 'primary')?.route).toEqual([{ destination: { host: 'catalog', subset: 'version-v2' } }]);
  });

  it.each([
    {
      controller: 'Argo CD',
      manager: 'argocd-controller',
      metadata: {
        labels: { 'app.kubernetes.io/instance': 'catalog' },
        annotations: { 'argocd.argoproj.io/tracking-id': 'catalog:networking.istio.io/VirtualService:shop/catalog' },
      },
    },
    {
      controller: 'Flux (kustomize-controller)',
      manager: 'kustomize-controller',
      metadata: { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } },
    },
  ])('a VirtualService applied by $manager is refused before the first write, with advice', async ({ controller, manager, metadata }) => {
    const release = await track(newRelease(`gitops-${manager.split('-')[0]}`, { createVs: false, load: false }));
    const created = await applyIstio(release.kc, initialVirtualService(release.ns, metadata), { fieldManager: manager });
    const drBefore = await readDr(release);

    const result = await runCli(release, 'run');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`VirtualService ${release.ns}/catalog is managed by ${controller}`);
    expect(result.stderr).toContain('commit mode');
    expect(result.stderr).toContain('force-conflicts');
    // Nothing was written: neither the DestinationRule (written first when adding the subset) nor the VirtualService.
    expect((await readDr(release)).metadata.resourceVersion).toBe(drBefore.metadata.resourceVersion);
    expect((await readVs(release)).metadata.resourceVersion).toBe(created.metadata.resourceVersion);

    // With --force-conflicts the release goes ahead, warning that the controller would revert it.
    const forced = await runCli(release, 'start', ['--force-conflicts']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain(`managed by ${controller}`);
    expect(stateOf(await readVs(release))?.status).toBe('in-progress');
    const aborted = await runCli(release, 'abort');
    expect(aborted.code).toBe(0);
    assertOnStable(release, await readVs(release));
  });

  it.each(['kubectl-client-side-apply', 'kubectl'])('a VirtualService last written by %s is taken over with a warning naming it', async (manager) => {
    const release = await track(newRelease(`kubectl-${manager.length}`, { createVs: false, load: false }));
    const vs = initialVirtualService(release.ns);
    await createAs(release.kc, { ...vs, metadata: { ...vs.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(vs) } } }, manager);

    const result = await runCli(release, 'start');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`VirtualService ${release.ns}/catalog: taking over the routes last written by "${manager}"`);
    const started = await readVs(release);
    expect(stateOf(started)).toMatchObject({ status: 'in-progress', stageIndex: 0 });
    expect(routesOf(started).map((r) => r.name)).toEqual(['admin', 'catalog-dark-launch', 'primary']);
    // The kubectl annotation is someone else's and stays.
    expect((started.metadata['annotations'] as Record<string, string>)['kubectl.kubernetes.io/last-applied-configuration']).toBeDefined();
  });
});
