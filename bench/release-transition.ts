// Figure 1: one stage transition through the engine's stage write (read the VirtualService and
// DestinationRule, plan, write under resourceVersion, read back and verify) against
// `kubectl apply --server-side` of the same two manifests on the same API server. Both flip
// between the 10 % and 50 % stages so every write is a real change; they alternate which goes
// first in each iteration, and kubectl works on a copy in its own namespace so the two field
// managers never conflict. Both reach the API server through the discovery shim (kubectl cannot
// do without it here); the engine is also timed straight to the server, and the CLI's `start`
// as a process. Run alone: npx node bench/release-transition.ts [iterations]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { safeYaml } from '../src/yaml/safe-yaml.ts';
import type { EngineContext, Session } from '../src/engine/context.ts';
import { nullMetrics } from '../src/engine/memory.ts';
import type { HolderPort, RoutingPort } from '../src/core/ports.ts';
import { createKubernetesHolders } from '../src/adapters/kubernetes-lease.ts';
import { releaseOf } from '../src/engine/steps.ts';
import { enterStage } from '../src/core/transitions.ts';
import { writeStage } from '../src/engine/write-stage.ts';
import type { DestinationRule, VirtualService } from '../src/istio/types.ts';
import { manifestYaml } from '../src/plan/render.ts';
import { specHash } from '../src/spec/hash.ts';
import { systemClock } from '../src/adapters/clock.ts';
import type { MeshEnv } from '../test/env/mesh.ts';
import { createKubernetesRouting } from '../src/adapters/kubernetes.ts';
import { startDiscoveryShim } from './discovery-shim.ts';
import { benchNamespace, benchSpec, createInitialObjects, defaultStages, load, median, meshEnv, quantile, quietLog, removeObjects, routingFor, SERVICE } from './release-common.ts';
import { destinationRuleOf, virtualServiceOf } from '../src/routing/virtual-service/objects.ts';

const run = promisify(execFile);

/** Stage indices of the default plan the benches flip between: weight 10 and weight 50. */
const FLIP = [2, 3] as const;

export interface TransitionFigures {
  iterations: number;
  kubectl: { binary: string; version: string };
  engine: number[];
  /** The same engine write straight to the API server, without the shim (the shim's cost). */
  engineDirect: number[];
  /** The same straight write, every API call on a new connection, as @kubernetes/client-node did
   * before the adapter kept one connection pool (a fresh port per call, made before the timing). */
  engineFreshConnections: number[];
  kubectlApply: number[];
  /** `istio-canary start` as a process (node dist/cli.js): Node start, spec load, the stage write; an untimed `abort` follows each. */
  cliStart: number[];
  /** The same kubectl binary doing nothing but `version --client` (its process start). */
  kubectlStart: number[];
  loadBefore: string;
  loadAfter: string;
}

/** KUBECTL, or the kubectl on PATH. */
export function kubectlBinary(): string {
  return process.env.KUBECTL || 'kubectl';
}

function session(routing: RoutingPort, holders: HolderPort, namespace: string): Session {
  const spec = benchSpec(namespace, { stages: defaultStages(60_000), settle: 0 });
  const ctx: EngineContext = {
    spec,
    routing,
    holders,
    metrics: nullMetrics,
    clock: systemClock,
    log: quietLog,
    holder: { id: 'bench-transition' },
    options: { holderTimeoutMs: 15 * 60_000, supersede: false, forceConflicts: false },
  };
  return { ctx, specHash: specHash(spec), holding: false, wrote: false, ownershipChecked: true, renewedAt: systemClock.now() };
}

/** The engine's write of stage `index` with a one-record state, so the annotation does not grow between iterations. */
async function engineWrite(s: Session, index: number): Promise<{ vs: VirtualService; dr: DestinationRule }> {
  const written = await writeStage(s, {
    pick: (plan) => plan.stages[index]!,
    change: (_prev, stage) => enterStage(undefined, releaseOf(s), stage, s.ctx.clock.now()),
    release: true,
  });
  return { vs: virtualServiceOf(written.stage), dr: destinationRuleOf(written.stage) };
}

/** The manifests a kubectl user would apply for the same stage: what we wrote, in kubectl's namespace. */
function manifestsFile(dir: string, index: number, written: { vs: VirtualService; dr: DestinationRule }, namespace: string): string {
  const moved = <T extends VirtualService | DestinationRule>(o: T): T => ({ ...o, metadata: { ...o.metadata, namespace } });
  const file = join(dir, `stage-${index}.yaml`);
  writeFileSync(file, `${manifestYaml(moved(written.dr))}---\n${manifestYaml(moved(written.vs))}`);
  return file;
}

const CLI = resolve(import.meta.dirname, '..', 'dist', 'cli.js');

/** The CLI's spec: the 10 % stage first, no settle and no analysis, so `start` is one stage write. */
function cliSpecYaml(namespace: string): string {
  return safeYaml({
    apiVersion: 'istio-canary/v1',
    kind: 'Canary',
    metadata: { name: SERVICE },
    spec: {
      namespace,
      virtualService: SERVICE,
      route: 'primary',
      destinationRule: SERVICE,
      host: SERVICE,
      stable: { subset: 'version-v1', labels: { version: 'v1' } },
      canary: { subset: 'version-v2', labels: { version: 'v2' } },
      stages: [{ weight: 10 }, { weight: 50 }],
      bake: '1m',
      settle: '0s',
    },
  });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

export async function measureTransition(env: MeshEnv, iterations: number): Promise<TransitionFigures> {
  const binary = kubectlBinary();
  const version = (await run(binary, ['version', '--client'])).stdout.split('\n')[0] ?? '';
  const dir = mkdtempSync(join(tmpdir(), 'bench-transition-'));
  const shim = await startDiscoveryShim(env.kubeconfig, dir);
  const namespaces: string[] = [];
  const named = (prefix: string) => {
    const namespace = benchNamespace(prefix);
    namespaces.push(namespace);
    return namespace;
  };
  try {
    const viaShim = createKubernetesRouting({ kubeconfigPath: shim.kubeconfig, deadlineMs: 30_000 });
    const ours = named('transition');
    const direct = named('direct');
    const theirs = named('kubectl');
    const cliNamespace = named('cli');
    await createInitialObjects(viaShim, cliNamespace);
    const specFile = join(dir, 'canary.yaml');
    writeFileSync(specFile, cliSpecYaml(cliNamespace));
    const cli = (command: string) => run(process.execPath, [CLI, command, '--spec', specFile, '--kubeconfig', shim.kubeconfig]);
    await createInitialObjects(viaShim, ours);
    await createInitialObjects(routingFor(env), direct);
    const s = session(viaShim, createKubernetesHolders({ kubeconfigPath: shim.kubeconfig }), ours);
    const d = session(routingFor(env), createKubernetesHolders({ kubeconfigPath: env.kubeconfig }), direct);
    const fresh = named('fresh');
    await createInitialObjects(routingFor(env), fresh);
    // Every call of the fresh-connection session takes a port nobody used yet: a new TLS connection.
    const unused: RoutingPort[] = [];
    for (let i = 0; i < 8 * (iterations + 4); i++) unused.push(createKubernetesRouting({ kubeconfigPath: env.kubeconfig, deadlineMs: 30_000 }));
    const next = () => unused.pop() ?? createKubernetesRouting({ kubeconfigPath: env.kubeconfig, deadlineMs: 30_000 });
    const freshPort: RoutingPort = {
      get: (ref) => next().get(ref),
      write: (object) => next().write(object),
      list: (kind, labels) => next().list(kind, labels),
      delete: (ref, resourceVersion) => next().delete(ref, resourceVersion),
      applied: (ref, desired, stored, signal) => next().applied(ref, desired, stored, signal),
      owner: (object) => next().owner(object),
    } as RoutingPort;
    const f = session(freshPort, createKubernetesHolders({ kubeconfigPath: env.kubeconfig }), fresh);
    const apply = (file: string) => run(binary, ['apply', '--server-side', '--validate=false', '--field-manager=bench-kubectl', '--kubeconfig', shim.kubeconfig, '-f', file]);

    // Warm-up (not timed): both stages written twice each way, kubectl's discovery cache filled.
    const files: string[] = [];
    for (const index of FLIP) files.push(manifestsFile(dir, index, await engineWrite(s, index), theirs));
    for (const file of [...files, ...files]) await apply(file);
    for (const index of [...FLIP, ...FLIP]) await engineWrite(s, index);
    for (const index of [...FLIP, ...FLIP]) await engineWrite(d, index);
    for (const index of [...FLIP, ...FLIP]) await engineWrite(f, index);
    for (let i = 0; i < 2; i++) await cli('start').then(() => cli('abort'));

    const figures: TransitionFigures = { iterations, kubectl: { binary, version }, engine: [], engineDirect: [], engineFreshConnections: [], kubectlApply: [], cliStart: [], kubectlStart: [], loadBefore: load(), loadAfter: '' };
    for (let i = 0; i < iterations; i++) {
      const index = FLIP[i % 2]!;
      const file = files[i % 2]!;
      const measures = [
        async () => figures.engine.push(await timed(() => engineWrite(s, index))),
        async () => figures.kubectlApply.push(await timed(() => apply(file))),
        async () => figures.engineDirect.push(await timed(() => engineWrite(d, index))),
        async () => figures.engineFreshConnections.push(await timed(() => engineWrite(f, index))),
        async () => figures.kubectlStart.push(await timed(() => run(binary, ['version', '--client']))),
        async () => {
          figures.cliStart.push(await timed(() => cli('start')));
          await cli('abort');
        },
      ];
      for (const measure of i % 2 === 0 ? measures : measures.reverse()) await measure();
    }
    figures.loadAfter = load();
    return figures;
  } finally {
    await shim.close();
    for (const namespace of namespaces) await removeObjects(env, namespace);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function transitionSummary(f: TransitionFigures) {
  const row = (xs: number[]) => ({ median: median(xs), p90: quantile(xs, 0.9) });
  const engine = row(f.engine);
  const direct = row(f.engineDirect);
  const fresh = row(f.engineFreshConnections);
  const kubectl = row(f.kubectlApply);
  const start = row(f.kubectlStart);
  const cli = row(f.cliStart);
  return { engine, direct, fresh, keepAliveRatio: direct.median / fresh.median, kubectl, start, cli, cliRatioMedian: cli.median / kubectl.median, ratioMedian: engine.median / kubectl.median, ratioP90: engine.p90 / kubectl.p90 };
}

if (import.meta.main) {
  const iterations = Number(process.argv[2] ?? 40);
  const f = await measureTransition(await meshEnv(), iterations);
  const s = transitionSummary(f);
  console.log(`${f.kubectl.binary}: ${f.kubectl.version}`);
  console.log(`iterations ${iterations}; load ${f.loadBefore} -> ${f.loadAfter}`);
  console.log(`engine stage write + verify: median ${s.engine.median.toFixed(1)} ms, p90 ${s.engine.p90.toFixed(1)} ms`);
  console.log(`  the same, no shim:          median ${s.direct.median.toFixed(1)} ms, p90 ${s.direct.p90.toFixed(1)} ms`);
  console.log(`  no shim, new connection per call: median ${s.fresh.median.toFixed(1)} ms, p90 ${s.fresh.p90.toFixed(1)} ms (kept-alive / new: ${s.keepAliveRatio.toFixed(2)})`);
  console.log(`kubectl apply --server-side:  median ${s.kubectl.median.toFixed(1)} ms, p90 ${s.kubectl.p90.toFixed(1)} ms`);
  console.log(`istio-canary start (process):  median ${s.cli.median.toFixed(1)} ms, p90 ${s.cli.p90.toFixed(1)} ms`);
  console.log(`kubectl version --client:     median ${s.start.median.toFixed(1)} ms, p90 ${s.start.p90.toFixed(1)} ms`);
  console.log(`ratio engine / kubectl: median ${s.ratioMedian.toFixed(2)}, p90 ${s.ratioP90.toFixed(2)}; CLI process / kubectl process: median ${s.cliRatioMedian.toFixed(2)}`);
}
