// The demo (README's main-job command): starts the local mesh, then runs two real releases of
// catalog v2 with the CLI against it — a healthy v2 (expected: promoted) and a v2 that starts
// failing 30 % of requests when it reaches 50 % of traffic (expected: rolled back). Exit 0 when
// both end as expected. Reports go to .mesh/demo/.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { safeYaml } from '../src/yaml/safe-yaml.ts';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startMesh } from '../test/env/mesh.ts';
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

/** The example spec with short bakes so the demo takes minutes, not half an hour. */
function demoSpec(prometheusUrl: string): string {
  const spec = parse(readFileSync(join(examples, 'canary.yaml'), 'utf8'));
  spec.spec.bake = '12s';
  spec.spec.settle = '1s';
  spec.spec.analysis.interval = '4s';
  spec.spec.analysis.prometheus.url = prometheusUrl;
  const file = join(demoDir, 'canary.yaml');
  writeFileSync(file, safeYaml(spec));
  return file;
}

/** Puts VirtualService and DestinationRule back to the example's "before the release". */
async function resetRouting(kc: KubeConfig): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  for (const [plural, file] of [['virtualservices', 'virtualservice.yaml'], ['destinationrules', 'destinationrule.yaml']] as const) {
    const object = parse(readFileSync(join(examples, file), 'utf8'));
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

  say(`\nreports: ${join(demoDir, 'release-1.md')}, ${join(demoDir, 'release-2.md')}`);
  say('\n== Istio checks what the releases wrote (istioctl validate and analyze)');
  const check = await checkIstioWrites(
    istioWritesFromFile(env.istioWrites).filter((w) => w.fieldManager === FIELD_MANAGER && Date.parse(w.at) >= demoStarted),
    await ensureIstioctl(),
  );
  for (const p of check.problems) say(`   ${p.write}: ${p.problem}`);
  say(`   ${check.writes} writes, ${check.problems.length} problems`);
  const ok = first === 0 && second === 1 && traffic?.canaryWeight === 0 && !traffic.headerRule && !traffic.mirror && check.problems.length === 0 && check.writes > 0;
  say(ok ? 'demo OK: release 1 promoted, release 2 rolled back to stable, Istio accepts every write' : 'demo FAILED: expected release 1 promoted (exit 0), release 2 rolled back (exit 1) and every write accepted by Istio');
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
