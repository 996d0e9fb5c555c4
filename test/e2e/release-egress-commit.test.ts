// The seed's forum release in commit mode: the forum's VirtualService and DestinationRule live in a
// manifest file of a real bare git repository, a sync loop playing Argo CD applies the branch head,
// and the ServiceEntry the canary needs is committed to that file before the first canary route
// (its own commit, in effect before the dark launch's), kept on promotion, and cut out of the file by
// the rollback commit unless another release still needs it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MANAGED_BY_LABEL, NEEDED_BY_ANNOTATION } from '../../src/istio/service-entry.ts';
import { CANARY_LABEL } from '../../src/plan/objects.ts';
import { safeYaml } from '../../src/yaml/safe-yaml.ts';
import { apiFailure, createIstio, getIstio, kubeConfig, meshEnv, uniqueNamespace, waitFor, type IstioObject } from '../env/cluster.ts';
import { startBareRemote, type BareRemote } from '../support/git-remote.ts';
import { startSyncLoop, type SyncLoop } from '../support/gitops-controller.ts';
import { SimulatorClient } from '../sim/client.ts';
import { FORUM_ENTRY, FORUM_HOST, forumObjects, forumSpec, outboundSidecar, putForum, readEntry as readEntryIn, readForum as readForumIn } from './support/forum.ts';
import { assertOnStable, assertPromoted, runCli, type Release } from './support/release-fixture.ts';

const HOST = FORUM_HOST;
const ENTRY = FORUM_ENTRY;
const FILE = 'apps/forum/routing.yaml';
const env = meshEnv();
const kc = kubeConfig(env);
const sim = new SimulatorClient(env.simulatorUrl);
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

interface ForumCommitRelease extends Release {
  remote: BareRemote;
  loop: SyncLoop;
}

/** forum v1/v2 in a REGISTRY_ONLY namespace; its DestinationRule and VirtualService (and `extra` documents) in git, applied by the sync loop. */
async function forumCommitRelease(prefix: string, options: { hosts: Array<Record<string, unknown>>; errorRatio?: number; extra?: (ns: string) => IstioObject[] }): Promise<ForumCommitRelease> {
  const ns = uniqueNamespace(prefix);
  const dir = mkdtempSync(join(tmpdir(), `${ns}-`));
  const specFile = join(dir, 'canary.yaml');
  const { admin, dr, initialVs } = forumObjects(ns);
  await createIstio(kc, outboundSidecar(ns, 'REGISTRY_ONLY'));
  const documents = [dr, initialVs, ...(options.extra?.(ns) ?? [])].map((o) => safeYaml(o));
  const remote = startBareRemote({ [FILE]: `# forum routing, synced by the GitOps controller\n${documents.join('---\n')}` });
  const controller = { kind: 'argocd' as const, name: 'forum', namespace: `argocd-${ns}`.slice(0, 63) };
  const loop = await startSyncLoop({ kubeconfig: env.kubeconfig, repository: remote.url, branch: 'main', paths: [FILE], namespace: ns, controller, delayMs: 500, reconcileDelayMs: 200 });
  const vs = await waitFor(() => getIstio(kc, { kind: 'VirtualService', namespace: ns, name: 'forum' }).catch(() => undefined), { timeoutMs: 20_000, what: `${ns}: the controller's first sync` });
  // Load only once the simulator routes with the VirtualService: v2 must not make calls before the release.
  await waitFor(() => sim.sees('virtualServices', `${ns}/forum`, String(vs.metadata.resourceVersion)), { timeoutMs: 30_000, intervalMs: 200, what: 'the simulator to see the forum VirtualService' });
  await putForum(sim, ns, [HOST], options.errorRatio);
  const spec = forumSpec(ns, { hosts: options.hosts });
  spec.spec['mode'] = 'commit';
  spec.spec['commit'] = { repository: remote.url, branch: 'main', file: FILE, sync: { argocd: { name: controller.name, namespace: controller.namespace }, interval: '200ms', timeout: '60s' } };
  writeFileSync(specFile, safeYaml(spec));
  cleanups.push(async () => {
    await loop.stop();
    remote.close();
    await sim.deleteService(ns, 'forum').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  return { ns, env, kc, kubeconfig: env.kubeconfig, sim, specFile, dir, adminRoute: admin, initialVs, remote, loop };
}

const subjects = (release: ForumCommitRelease) => release.remote.bare('log', '--reverse', '--format=%s', 'main').trim().split('\n');
const readForum = (release: Release) => readForumIn(kc, release.ns);
const readEntry = (ns: string, name = ENTRY) => readEntryIn(kc, ns, name);
/** The branch's file at `ref` holds a ServiceEntry document of this name. */
const fileHasEntry = (release: ForumCommitRelease, name: string, ref = 'main') => release.remote.show(FILE, ref).includes(`name: ${name}\n`);

describe.concurrent('the forum release in commit mode: outbound traffic', () => {
  it('the entry is committed before the first canary route, applied by the controller, kept at promotion', async () => {
    const release = await forumCommitRelease('forum-commit-ok', { hosts: [{ host: HOST, ports: [{ number: 80, protocol: 'HTTP' }] }] });
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(0);
    assertPromoted(release, await waitFor(async () => {
      const vs = await readForum(release);
      return JSON.stringify(vs.metadata.annotations ?? {}).includes('promoted') ? vs : undefined;
    }, { timeoutMs: 30_000, what: 'the promotion applied by the controller' }));
    // Git history: the entry's commit comes before the first commit that routes to version-v2.
    const commits = release.remote.bare('log', '--reverse', '--format=%H', 'main').trim().split('\n');
    const entryCommit = commits.findIndex((c) => fileHasEntry(release, ENTRY, c));
    const firstCanaryRoute = commits.findIndex((c) => release.remote.show(FILE, c).includes('subset: version-v2\n') && /name: primary/.test(release.remote.show(FILE, c)) && /dark launch/.test(release.remote.bare('log', '-1', '--format=%s', c)));
    expect(entryCommit, subjects(release).join('\n')).toBeGreaterThan(0);
    expect(subjects(release)[entryCommit]).toBe(`canary(forum): create ServiceEntry ${ENTRY} for version-v2`);
    expect(firstCanaryRoute, subjects(release).join('\n')).toBeGreaterThan(entryCommit);
    // Kept in the file and in the cluster, labelled as ours.
    expect(fileHasEntry(release, ENTRY)).toBe(true);
    const entry = await readEntry(release.ns);
    expect(entry.metadata.labels).toEqual({ [MANAGED_BY_LABEL]: 'istio-canary', [CANARY_LABEL]: 'forum' });
    expect(entry.spec).toMatchObject({ hosts: [HOST], location: 'MESH_EXTERNAL', exportTo: ['.'] });
    // The controller applied the entry before the dark launch was applied: no call was ever blocked.
    const stats = await sim.stats(release.ns, 'forum');
    expect(Object.keys(stats.outbound).filter((k) => k.includes('BlackHoleCluster'))).toEqual([]);
    expect(Object.keys(stats.outbound).filter((k) => k.startsWith(`v2 ${HOST} `)), JSON.stringify(stats.outbound)).not.toEqual([]);
  });

  it('a rollback commit cuts out the entry this release created; an entry another release needs survives in git and in the cluster', async () => {
    const other = 'api.other-dependency.example';
    const shared = (ns: string): IstioObject => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: `egress-${other}`, namespace: ns, labels: { [MANAGED_BY_LABEL]: 'istio-canary', [CANARY_LABEL]: 'catalog' }, annotations: { [NEEDED_BY_ANNOTATION]: 'catalog' } },
      spec: { hosts: [other], ports: [{ number: 443, name: 'tls-443', protocol: 'TLS' }], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'] },
    });
    const release = await forumCommitRelease('forum-commit-back', {
      errorRatio: 0.8,
      hosts: [{ host: HOST, ports: [{ number: 80, protocol: 'HTTP' }] }, { host: other, ports: [{ number: 443, protocol: 'TLS' }] }],
      extra: (ns) => [shared(ns)],
    });
    await waitFor(() => readEntry(release.ns, `egress-${other}`).catch(() => undefined), { timeoutMs: 20_000, what: 'the shared entry applied' });
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(1);
    // The rollback commit first (the route back on stable, in effect), then the entry's own delete commit:
    // removed in the same commit, the controller could prune it while the canary still gets traffic.
    expect(subjects(release).slice(-2)).toEqual(['canary(forum): roll back to version-v1', `canary(forum): delete ServiceEntry ${ENTRY} for version-v2`]);
    // In git: ours is gone from the file, the shared one is there with only catalog on its list.
    const commits = release.remote.bare('log', '--format=%H', 'main').trim().split('\n');
    expect(commits.some((c) => fileHasEntry(release, ENTRY, c))).toBe(true);
    expect(fileHasEntry(release, ENTRY)).toBe(false);
    expect(fileHasEntry(release, `egress-${other}`)).toBe(true);
    expect(release.remote.show(FILE)).toContain(`${NEEDED_BY_ANNOTATION}: catalog\n`);
    expect(release.remote.show(FILE).startsWith('# forum routing, synced by the GitOps controller\n')).toBe(true);
    // While it ran, forum was on the shared entry's list (a commit of the file said so; the YAML-1.1-safe writer quotes the comma).
    const neededBy = commits.map((c) => release.remote.show(FILE, c).split('\n').filter((l) => l.includes(NEEDED_BY_ANNOTATION)).join(' | '));
    expect(neededBy.some((l) => l.includes(`${NEEDED_BY_ANNOTATION}: "catalog,forum"`)), `${subjects(release).join('\n')}\n${neededBy.join('\n')}`).toBe(true);
    // In the cluster, once the controller applied the rollback: stable, ours pruned, the shared one kept.
    await waitFor(async () => ((await readEntry(release.ns).then(() => undefined, () => true)) ? true : undefined), { timeoutMs: 30_000, what: 'our entry pruned by the controller' });
    expect((await apiFailure(() => readEntry(release.ns))).code).toBe(404);
    assertOnStable(release, await readForum(release));
    const survivor = await readEntry(release.ns, `egress-${other}`);
    expect((survivor.metadata.annotations as Record<string, string>)[NEEDED_BY_ANNOTATION]).toBe('catalog');
  });
});
