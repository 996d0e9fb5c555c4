// The demo (README's main-job command): starts the local mesh, then runs real releases with the
// CLI against it — a healthy catalog v2 (expected: promoted), a catalog v2 that starts failing 30 %
// of requests when it reaches 50 % of traffic (expected: rolled back), a healthy v2 in commit mode,
// its routing committed to a local git repository that a controller playing Argo CD applies
// (expected: promoted, one commit per routing change), a healthy v2 on a Gateway API HTTPRoute
// (examples/gateway-api; expected: promoted), and the seed's forum v2, which calls
// jsonplaceholder.typicode.com in a REGISTRY_ONLY mesh: without its ServiceEntry (expected: 502
// BlackHoleCluster, rolled back by the egress gate) and with egress.hosts (expected: the entry
// created first, promoted). Exit 0 when all end as expected. Reports go to .mesh/demo/.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { safeYaml } from '../src/yaml/safe-yaml.ts';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startMesh, type MeshEnv } from '../test/env/mesh.ts';
import { startBareRemote } from '../test/support/git-remote.ts';
import { startSyncLoop } from '../test/support/gitops-controller.ts';
import { SimulatorClient } from '../test/sim/client.ts';
import { createKubernetesRouting } from '../src/adapters/kubernetes.ts';
import { FIELD_MANAGER } from '../src/adapters/kubernetes-owner.ts';
import { istioRef } from '../src/routing/virtual-service/objects.ts';
import { checkIstioWrites } from '../test/env/check-istio-writes.ts';
import { ensureIstioctl } from '../test/env/istio-tools.ts';
import { istioWritesFromFile } from '../test/env/istio-writes.ts';
import type { VirtualService } from '../src/istio/types.ts';

const root = resolve(import.meta.dirname, '..');
const demoDir = join(root, '.mesh', 'demo');
const NS = 'istioinaction';
const examples = join(root, 'examples', 'catalog');

function say(line: string): void {
  process.stdout.write(`\x1b[1m${line}\x1b[0m\n`);
}

/** An example spec with short bakes so the demo takes minutes, not half an hour. */
function demoSpec(prometheusUrl: string, example = examples, name = 'canary.yaml', edit: (spec: { spec: Record<string, unknown> }) => void = () => {}): string {
  const spec = parse(readFileSync(join(example, 'canary.yaml'), 'utf8'));
  spec.spec.bake = '12s';
  spec.spec.settle = '1s';
  spec.spec.analysis.interval = '4s';
  spec.spec.analysis.prometheus.url = prometheusUrl;
  edit(spec);
  const file = join(demoDir, name);
  writeFileSync(file, safeYaml(spec));
  return file;
}

const gatewayExample = join(root, 'examples', 'gateway-api');
const GAMMA_NS = 'gamma';

/** The HTTPRoute example's world: the parent Service under load and one Service per version; the route as before the release. */
async function resetHttpRoute(kc: KubeConfig, sim: SimulatorClient): Promise<void> {
  for (const [name, version] of [['catalog-v1', 'v1'], ['catalog-v2', 'v2']] as const) {
    await sim.putService(GAMMA_NS, name, { versions: [{ name: version, labels: { app: 'catalog', version }, workload: name }] });
  }
  await sim.putService(GAMMA_NS, 'catalog', {
    versions: [{ name: 'v0', labels: { app: 'catalog' }, workload: 'catalog-unrouted' }],
    load: { requestsPerSecond: 40, from: `${GAMMA_NS}/webapp`, headers: [{ name: 'x-istio-cohort', value: 'internal', share: 0.1 }] },
  });
  const api = kc.makeApiClient(CustomObjectsApi);
  const route = parse(readFileSync(join(gatewayExample, 'httproute.yaml'), 'utf8'));
  const target = { group: 'gateway.networking.k8s.io', version: 'v1', namespace: GAMMA_NS, plural: 'httproutes' };
  try {
    await api.deleteNamespacedCustomObject({ ...target, name: route.metadata.name });
  } catch {
    // absent already
  }
  await api.createNamespacedCustomObject({ ...target, body: route });
}

/** Puts an example's objects back to "before the release" (VirtualService and DestinationRule; any others as they are). */
async function resetRouting(kc: KubeConfig, example = examples, extra: Array<readonly [string, string]> = []): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  for (const [plural, file] of [['virtualservices', 'virtualservice.yaml'], ['destinationrules', 'destinationrule.yaml'], ...extra] as const) {
    const object = parse(readFileSync(join(example, file), 'utf8'));
    try {
      await api.deleteNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: NS, plural, name: object.metadata.name });
    } catch {
      // absent already
    }
    await api.createNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: NS, plural, body: object });
  }
}

function runCli(args: string[]): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'src', 'cli', 'main.ts'), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code) => done(code ?? 1));
  });
}

/** What the example's owned route (`primary`) does now; the demo knows the example's names. */
function trafficOf(vs: VirtualService | undefined): { canaryWeight: number; headerRule: boolean; mirror: boolean } | undefined {
  const primary = vs?.spec.http?.find((r) => r.name === 'primary');
  if (!vs || !primary) return undefined;
  const destinations = primary.route ?? [];
  const canary = destinations.find((d) => d.destination.subset === 'version-v2');
  const canaryWeight = !canary ? 0 : destinations.length === 1 ? 100 : (canary.weight ?? 0);
  return { canaryWeight, headerRule: (vs.spec.http ?? []).some((r) => r.name === 'catalog-dark-launch'), mirror: primary.mirror !== undefined };
}

/** Calls `action` once the owned route sends at least `weight` % to the canary. */
function whenCanaryWeight(read: () => Promise<VirtualService | undefined>, weight: number, action: () => Promise<void>): { stop: () => void; fired: Promise<boolean> } {
  let stopped = false;
  const fired = (async () => {
    while (!stopped) {
      const vs = await read();
      const traffic = trafficOf(vs);
      if (traffic && traffic.canaryWeight >= weight) {
        await action();
        return true;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  })();
  return { stop: () => { stopped = true; }, fired };
}

/**
 * A healthy v2 released in commit mode: the example's VirtualService and DestinationRule are one
 * manifest file in a local bare repository, the sync loop of the tests (Argo CD's behaviour and status)
 * applies the branch head to the API server, and the CLI commits each stage and waits for the sync.
 */
async function commitModeRelease(env: MeshEnv, sim: SimulatorClient, specFile: string, report: string): Promise<boolean> {
  const kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  const api = kc.makeApiClient(CustomObjectsApi);
  for (const plural of ['virtualservices', 'destinationrules']) {
    await api.deleteNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: NS, plural, name: 'catalog' }).catch(() => undefined);
  }
  const file = 'apps/catalog/routing.yaml';
  const manifests = `# catalog routing: Argo CD syncs it; istio-canary edits the primary route\n${readFileSync(join(examples, 'destinationrule.yaml'), 'utf8')}---\n${readFileSync(join(examples, 'virtualservice.yaml'), 'utf8')}`;
  const remote = startBareRemote({ [file]: manifests });
  const app = { kind: 'argocd' as const, name: 'catalog', namespace: 'argocd' };
  const loop = await startSyncLoop({ kubeconfig: env.kubeconfig, repository: remote.url, branch: 'main', paths: [file], namespace: NS, controller: app, delayMs: 1_000, reconcileDelayMs: 300 });
  try {
    while (loop.applied.length === 0) await new Promise((r) => setTimeout(r, 100));
    const spec = parse(readFileSync(specFile, 'utf8'));
    spec.spec.mode = 'commit';
    spec.spec.commit = { repository: remote.url, branch: 'main', file, sync: { argocd: { name: app.name, namespace: app.namespace }, interval: '500ms' } };
    const commitSpec = join(demoDir, 'canary-commit.yaml');
    writeFileSync(commitSpec, safeYaml(spec));
    await sim.setProfile(NS, 'catalog', 'v2', { errorRatio: 0 });
    const code = await runCli(['run', '--spec', commitSpec, '--kubeconfig', env.kubeconfig, '--prometheus-url', env.prometheusUrl, '--report', report]);
    const history = remote.bare('log', '--reverse', '--format=   %h %s', 'main');
    say(`release 3 exited ${code}; the branch's history:\n${history.trimEnd()}`);
    return code === 0 && history.includes('promote version-v2');
  } finally {
    await loop.stop();
    remote.close();
    await api.deleteNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace: app.namespace, plural: 'applications', name: app.name }).catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const demoStarted = Date.now();
  mkdirSync(demoDir, { recursive: true });
  say('== starting the local mesh (API server with Istio CRDs, Prometheus, mesh simulator)');
  const { env } = await startMesh();
  const kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  const sim = new SimulatorClient(env.simulatorUrl);
  const routing = createKubernetesRouting({ kubeconfigPath: env.kubeconfig });
  const readVs = () => routing.get<VirtualService>(istioRef('VirtualService', NS, 'catalog'));
  const spec = demoSpec(env.prometheusUrl);
  const common = ['--spec', spec, '--kubeconfig', env.kubeconfig, '--prometheus-url', env.prometheusUrl];

  say('\n== release 1: a healthy catalog v2');
  await resetRouting(kc);
  await sim.setProfile(NS, 'catalog', 'v2', { errorRatio: 0 });
  await sim.setLoad(NS, 'catalog', { requestsPerSecond: 40, paused: false });
  const first = await runCli(['run', ...common, '--report', join(demoDir, 'release-1.md')]);
  const afterFirst = await sim.stats(NS, 'catalog');
  say(`release 1 exited ${first}; simulator saw v1 ${afterFirst.versions.v1?.live ?? 0} and v2 ${afterFirst.versions.v2?.live ?? 0} live requests so far`);

  say('\n== release 2: catalog v2 that starts failing 30 % of requests at 50 % of traffic');
  await resetRouting(kc);
  await sim.setProfile(NS, 'catalog', 'v2', { errorRatio: 0 });
  const breaker = whenCanaryWeight(readVs, 50, async () => {
    say('   (demo) v2 now fails 30 % of its requests');
    await sim.setProfile(NS, 'catalog', 'v2', { errorRatio: 0.3 });
  });
  const second = await runCli(['run', ...common, '--report', join(demoDir, 'release-2.md')]);
  breaker.stop();
  const vs = await readVs();
  const traffic = trafficOf(vs);
  say(`release 2 exited ${second}; canary weight now ${traffic?.canaryWeight ?? '?'}%, header rule ${traffic?.headerRule ? 'present' : 'removed'}, mirror ${traffic?.mirror ? 'present' : 'removed'}`);
  await sim.setProfile(NS, 'catalog', 'v2', { errorRatio: 0 });

  say('\n== release 3: commit mode: routing lives in git, a controller playing Argo CD applies the branch head');
  const third = await commitModeRelease(env, sim, spec, join(demoDir, 'release-3.md'));
  await resetRouting(kc);

  say('\n== release 4: a healthy catalog v2 on a Gateway API HTTPRoute (GAMMA, examples/gateway-api)');
  await resetHttpRoute(kc, sim);
  const gatewaySpec = demoSpec(env.prometheusUrl, gatewayExample, 'canary-httproute.yaml');
  const fourth = await runCli(['run', '--spec', gatewaySpec, '--kubeconfig', env.kubeconfig, '--prometheus-url', env.prometheusUrl, '--report', join(demoDir, 'release-4.md')]);
  const afterFourth = await sim.stats(GAMMA_NS, 'catalog');
  say(`release 4 exited ${fourth}; catalog-v1 answered ${afterFourth.versions[`${GAMMA_NS}/catalog-v1:v1`]?.live ?? 0} and catalog-v2 ${afterFourth.versions[`${GAMMA_NS}/catalog-v2:v2`]?.live ?? 0} live requests`);
  await sim.setLoad(GAMMA_NS, 'catalog', { paused: true });


  say('\n== release 5: the seed\'s forum v2, which calls jsonplaceholder.typicode.com, in a REGISTRY_ONLY mesh, without its ServiceEntry');
  const forum = join(root, 'examples', 'forum');
  const api = kc.makeApiClient(CustomObjectsApi);
  const forumEntry = { group: 'networking.istio.io', version: 'v1', namespace: NS, plural: 'serviceentries', name: 'egress-jsonplaceholder.typicode.com' };
  await api.deleteNamespacedCustomObject(forumEntry).catch(() => undefined);
  await resetRouting(kc, forum, [['sidecars', 'sidecar.yaml']]);
  await sim.setLoad(NS, 'forum', { requestsPerSecond: 40, paused: false, headers: [{ name: 'x-istio-cohort', value: 'internal', share: 0.2 }] });
  const blockedSpec = demoSpec(env.prometheusUrl, forum, 'forum-undeclared.yaml', (s) => {
    (s.spec.egress as { hosts: unknown[] }).hosts = [];
  });
  const fifth = await runCli(['run', '--spec', blockedSpec, '--kubeconfig', env.kubeconfig, '--prometheus-url', env.prometheusUrl, '--report', join(demoDir, 'release-5.md')]);
  const forumStats = await sim.stats(NS, 'forum');
  say(`release 5 exited ${fifth}; forum v2's calls: ${JSON.stringify(forumStats.outbound)}`);

  say('\n== release 6: the same forum v2 with egress.hosts: its ServiceEntry is created before any canary traffic');
  await resetRouting(kc, forum);
  await sim.resetService(NS, 'forum');
  const sixth = await runCli(['run', '--spec', demoSpec(env.prometheusUrl, forum, 'forum.yaml'), '--kubeconfig', env.kubeconfig, '--prometheus-url', env.prometheusUrl, '--report', join(demoDir, 'release-6.md')]);
  const entry = await api.getNamespacedCustomObject(forumEntry).catch(() => undefined);
  const blockedAfter = Object.entries((await sim.stats(NS, 'forum')).outbound).filter(([k]) => k.includes('BlackHoleCluster'));
  say(`release 6 exited ${sixth}; ServiceEntry ${entry ? 'present' : 'missing'}; blocked calls since: ${blockedAfter.length === 0 ? 'none' : JSON.stringify(blockedAfter)}`);
  await sim.setLoad(NS, 'forum', { paused: true });

  say(`\nreports: ${[1, 2, 3, 4, 5, 6].map((n) => join(demoDir, `release-${n}.md`)).join(', ')}`);
  say('\n== Istio checks what the releases wrote (istioctl validate and analyze)');
  const check = await checkIstioWrites(
    istioWritesFromFile(env.istioWrites).filter((w) => w.fieldManager === FIELD_MANAGER && Date.parse(w.at) >= demoStarted),
    await ensureIstioctl(),
  );
  for (const p of check.problems) say(`   ${p.write}: ${p.problem}`);
  say(`   ${check.writes} writes, ${check.problems.length} problems`);
  const forumOk = fifth === 1 && sixth === 0 && entry !== undefined && blockedAfter.length === 0;
  const ok = first === 0 && second === 1 && third && fourth === 0 && traffic?.canaryWeight === 0 && !traffic.headerRule && !traffic.mirror && forumOk && check.problems.length === 0 && check.writes > 0;
  say(
    ok
      ? 'demo OK: release 1 promoted, release 2 rolled back to stable, release 3 promoted through git, release 4 (HTTPRoute) promoted, forum rolled back without its ServiceEntry and promoted with it, Istio accepts every write'
      : 'demo FAILED: expected release 1 promoted (exit 0), release 2 rolled back (exit 1), release 3 promoted in commit mode, release 4 on the HTTPRoute promoted (exit 0), forum release 5 rolled back (exit 1) and 6 promoted (exit 0) with its ServiceEntry, and every write accepted by Istio',
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
