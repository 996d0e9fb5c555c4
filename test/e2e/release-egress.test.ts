// The seed's forum release on the local mesh (chapter 5, outbound traffic): forum v2 calls
// jsonplaceholder.typicode.com. In a REGISTRY_ONLY namespace, without its ServiceEntry the calls get
// 502 from BlackHoleCluster and the egress gate rolls the release back; with egress.hosts the entry
// is created before any canary traffic and the release is promoted. In ALLOW_ANY a call to an
// undeclared host fails the gate, or passes with a warning under policy warn. A rollback removes
// exactly the entries it created; one another release still needs survives.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MANAGED_BY_LABEL, NEEDED_BY_ANNOTATION } from '../../src/istio/service-entry.ts';
import { CANARY_LABEL } from '../../src/plan/objects.ts';
import { safeYaml } from '../../src/yaml/safe-yaml.ts';
import { apiFailure, createIstio, kubeConfig, meshEnv, uniqueNamespace, waitFor, type IstioObject } from '../env/cluster.ts';
import { istioWritesFromFile } from '../env/istio-writes.ts';
import { SimulatorClient } from '../sim/client.ts';
import { FORUM_ENTRY, FORUM_HOST, forumObjects, forumSpec, outboundSidecar, putForum, readEntry as readEntryIn, readForum as readForumIn } from './support/forum.ts';
import { assertOnStable, assertPromoted, runCli, type Release, type stateOf } from './support/release-fixture.ts';

const HOST = FORUM_HOST;
const ENTRY = FORUM_ENTRY;
const env = meshEnv();
const kc = kubeConfig(env);
const sim = new SimulatorClient(env.simulatorUrl);
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

interface ForumOptions {
  /** The namespace's outbound mode, by a namespace-wide Sidecar (none: the mesh's ALLOW_ANY). */
  mode?: 'REGISTRY_ONLY';
  /** Hosts forum v2 calls on every request. */
  calls: string[];
  egress: Record<string, unknown>;
  /** Share of v2's answers that are 500s (a canary that fails for another reason). */
  errorRatio?: number;
}

/** forum v1/v2 in a fresh namespace: VirtualService (a foreign `admin` route, the owned `primary`), DestinationRule, load, spec. */
async function forumRelease(prefix: string, options: ForumOptions): Promise<Release & { stateKey: string }> {
  const ns = uniqueNamespace(prefix);
  const dir = mkdtempSync(join(tmpdir(), `${ns}-`));
  const specFile = join(dir, 'canary.yaml');
  const { admin, dr, initialVs } = forumObjects(ns);
  const spec = forumSpec(ns, options.egress);
  writeFileSync(specFile, safeYaml(spec));
  if (options.mode) await createIstio(kc, outboundSidecar(ns, options.mode));
  await createIstio(kc, dr);
  const vs = await createIstio(kc, initialVs);
  // Load only once the simulator routes with the VirtualService: without it, v2 would get requests (and make calls) before the release.
  await waitFor(() => sim.sees('virtualServices', `${ns}/forum`, String(vs.metadata.resourceVersion)), { timeoutMs: 30_000, intervalMs: 200, what: 'the simulator to see the forum VirtualService' });
  await putForum(sim, ns, options.calls, options.errorRatio);
  cleanups.push(async () => {
    await sim.deleteService(ns, 'forum').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  return { ns, env, kc, kubeconfig: env.kubeconfig, sim, specFile, dir, adminRoute: admin, initialVs, stateKey: 'istio-canary.dev/forum' };
}

const readForum = (release: Release) => readForumIn(kc, release.ns);
const readEntry = (ns: string, name = ENTRY) => readEntryIn(kc, ns, name);
const forumState = (vs: IstioObject) => {
  const text = ((vs.metadata.annotations ?? {}) as Record<string, string>)['istio-canary.dev/forum'];
  return text === undefined ? undefined : (JSON.parse(text) as ReturnType<typeof stateOf> & object);
};

/** When, in the audit log, the namespace's first write of a kind happened (index in write order). */
function firstWrite(ns: string, kind: string, predicate: (o: { spec?: unknown; metadata: Record<string, unknown> } | undefined) => boolean = () => true): number {
  return istioWritesFromFile(env.istioWrites).findIndex((w) => w.namespace === ns && w.kind === kind && predicate(w.object));
}

describe.concurrent('the seed\'s forum release: outbound traffic', () => {
  it('REGISTRY_ONLY without the entry: forum v2 gets 502 from BlackHoleCluster, the egress gate rolls it back', async () => {
    const release = await forumRelease('forum-blocked', { mode: 'REGISTRY_ONLY', calls: [HOST], egress: { hosts: [] } });
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout + result.stderr).toContain(`outbound traffic mode REGISTRY_ONLY (Sidecar ${release.ns}/default (outboundTrafficPolicy.mode))`);
    const vs = await readForum(release);
    assertOnStable(release, vs);
    const state = forumState(vs)!;
    expect(state.status).toBe('rolled-back');
    expect(state.reason).toContain('egress');
    expect(state.reason).toContain(`"${HOST}" blocked by the mesh (BlackHoleCluster, 502)`);
    expect((await apiFailure(() => readEntry(release.ns))).code).toBe(404);
    const stats = await sim.stats(release.ns, 'forum');
    expect(stats.outbound[`v2 ${HOST} BlackHoleCluster 502`]).toBeGreaterThan(0);
  });

  it('REGISTRY_ONLY with egress.hosts: the entry is created before any canary traffic, the release is promoted and keeps it', async () => {
    const release = await forumRelease('forum-declared', { mode: 'REGISTRY_ONLY', calls: [HOST], egress: { hosts: [{ host: HOST, ports: [{ number: 80, protocol: 'HTTP' }] }] } });
    const result = await runCli(release, 'run', ['--report', join(release.dir, 'report.md')]);
    expect(result.code, result.stderr).toBe(0);
    assertPromoted(release, await readForum(release));
    const entry = await readEntry(release.ns);
    expect(entry.metadata.labels).toEqual({ [MANAGED_BY_LABEL]: 'istio-canary', [CANARY_LABEL]: 'forum' });
    expect(entry.spec).toMatchObject({ hosts: [HOST], location: 'MESH_EXTERNAL', exportTo: ['.'] });
    // Created before the VirtualService first sent anything to the canary (the dark launch's header rule).
    const created = firstWrite(release.ns, 'ServiceEntry');
    const firstCanaryRoute = firstWrite(release.ns, 'VirtualService', (o) => JSON.stringify(o?.spec ?? {}).includes('version-v2'));
    expect(created).toBeGreaterThanOrEqual(0);
    expect(created).toBeLessThan(firstCanaryRoute);
    const stats = await sim.stats(release.ns, 'forum');
    expect(Object.keys(stats.outbound).filter((k) => k.includes('BlackHoleCluster'))).toEqual([]);
    const report = readFileSync(join(release.dir, 'report.md'), 'utf8');
    expect(report).toContain('**Outbound traffic:** REGISTRY\\_ONLY');
    expect(report).toContain(`ServiceEntry ${release.ns}/${ENTRY} created`);
  });

  it('ALLOW_ANY: a call to an undeclared host fails the gate', async () => {
    const release = await forumRelease('forum-undeclared', { calls: ['collector.phone-home.example'], egress: { hosts: [{ host: HOST, ports: [{ number: 80, protocol: 'HTTP' }] }] } });
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(1);
    const state = forumState(await readForum(release))!;
    expect(state.reason).toContain('"collector.phone-home.example" left through PassthroughCluster, not in egress.hosts');
    // This release created the entry; its rollback removed it.
    expect((await apiFailure(() => readEntry(release.ns))).code).toBe(404);
  });

  it('ALLOW_ANY with policy warn: the same call passes, with a warning in the report', async () => {
    const release = await forumRelease('forum-warn', { calls: ['collector.phone-home.example'], egress: { hosts: [], policy: 'warn' } });
    const result = await runCli(release, 'run', ['--report', join(release.dir, 'report.md')]);
    expect(result.code, result.stderr).toBe(0);
    const report = readFileSync(join(release.dir, 'report.md'), 'utf8');
    expect(report).toContain('egress gate \\(policy warn\\)');
    expect(report).toContain('collector.phone-home.example');
  });

  it('a rollback removes exactly the entries this release created; an entry another release needs survives', async () => {
    const other = 'api.other-dependency.example';
    const release = await forumRelease('forum-shared', {
      mode: 'REGISTRY_ONLY',
      calls: [HOST],
      errorRatio: 0.8,
      egress: { hosts: [{ host: HOST, ports: [{ number: 80, protocol: 'HTTP' }] }, { host: other, ports: [{ number: 443, protocol: 'TLS' }] }] },
    });
    // Another release (catalog) made the entry for `other` and needs it.
    await createIstio(kc, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: `egress-${other}`, namespace: release.ns, labels: { [MANAGED_BY_LABEL]: 'istio-canary', [CANARY_LABEL]: 'catalog' }, annotations: { [NEEDED_BY_ANNOTATION]: 'catalog' } },
      spec: { hosts: [other], ports: [{ number: 443, name: 'tls-443', protocol: 'TLS' }], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'] },
    });
    // Somebody else's entry, not ours, in the same namespace: never touched.
    await createIstio(kc, { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'unrelated', namespace: release.ns }, spec: { hosts: ['unrelated.example'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], location: 'MESH_EXTERNAL', resolution: 'DNS' } });
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(1);
    const vs = await readForum(release);
    assertOnStable(release, vs);
    // Rolled back by its success rate, not by egress: its calls went through its entry.
    expect(forumState(vs)!.reason).toContain('success');
    expect(forumState(vs)!.reason).not.toContain('BlackHoleCluster');
    expect((await apiFailure(() => readEntry(release.ns))).code).toBe(404);
    const shared = await readEntry(release.ns, `egress-${other}`);
    expect((shared.metadata.annotations as Record<string, string>)[NEEDED_BY_ANNOTATION]).toBe('catalog');
    expect((await readEntry(release.ns, 'unrelated')).metadata.labels).toBeUndefined();
    // While it ran, forum was on the shared entry's list.
    expect(firstWrite(release.ns, 'ServiceEntry', (o) => ((o?.metadata.annotations ?? {}) as Record<string, string>)[NEEDED_BY_ANNOTATION] === 'catalog,forum')).toBeGreaterThanOrEqual(0);
  });
});
