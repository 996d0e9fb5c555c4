// Figure 2: from the moment the canary starts failing (the simulator's v2 answers 50 % errors) to
// the moment the API server stores canary weight 0, as a multiple of the analysis interval. The
// release sits in a 50 % stage with a long bake; the fault lands at a random phase of the
// evaluation cycle (a random wait of one to three intervals after the stage is entered). The
// VirtualService is polled every 20 ms. Run alone: npx node bench/release-rollback.ts [trials]
import { performance } from 'node:perf_hooks';
import { runRelease } from '../src/app/release.ts';
import type { MeshEnv } from '../test/env/mesh.ts';
import { SimulatorClient } from '../test/sim/client.ts';
import { benchNamespace, benchSpec, canaryWeight, createInitialObjects, load, median, meshEnv, putCatalog, quantile, quietLog, removeObjects, routingFor, SERVICE, sleep } from './release-common.ts';
import { istioRef } from '../src/routing/virtual-service/objects.ts';

export const ROLLBACK = { interval: 2_000, bake: 60_000, weight: 50, errorRatio: 0.5, requestsPerSecond: 100, pollMs: 20 };

export interface RollbackTrial {
  /** Fault to canary weight 0 in the API server. */
  reactionMs: number;
  /** Stage entered to fault. */
  faultAfterMs: number;
  status: string;
  load: string;
}

async function waitForWeight(env: MeshEnv, namespace: string, wanted: (w: number | undefined) => boolean, timeoutMs: number): Promise<number> {
  const routing = routingFor(env);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const weight = canaryWeight(await routing.get(istioRef('VirtualService', namespace, SERVICE)));
    if (wanted(weight)) return performance.now();
    if (performance.now() > deadline) throw new Error(`${namespace}: canary weight still ${weight} after ${timeoutMs} ms`);
    await sleep(ROLLBACK.pollMs);
  }
}

async function oneTrial(env: MeshEnv, sim: SimulatorClient): Promise<RollbackTrial> {
  const namespace = benchNamespace('rollback');
  await putCatalog(sim, namespace, ROLLBACK.requestsPerSecond);
  try {
    await createInitialObjects(routingFor(env), namespace);
    const spec = benchSpec(namespace, {
      stages: [{ kind: 'weight', weight: ROLLBACK.weight, bake: ROLLBACK.bake, pause: false }],
      settle: 1_000,
      interval: ROLLBACK.interval,
      prometheusUrl: env.prometheusUrl,
    });
    const release = runRelease({ spec, command: 'run', kubeconfigPath: env.kubeconfig, log: quietLog, reports: [], holderId: 'bench-rollback' });
    const entered = await Promise.race([waitForWeight(env, namespace, (w) => w === ROLLBACK.weight, 30_000), release.then((r) => Promise.reject(new Error(`release ended early: ${r.status} ${r.failure ?? ''}`)))]);
    await sleep(ROLLBACK.interval * (1 + 2 * Math.random()));
    const fault = performance.now();
    await sim.setProfile(namespace, SERVICE, 'v2', { errorRatio: ROLLBACK.errorRatio });
    const back = await waitForWeight(env, namespace, (w) => w === 0, 30 * ROLLBACK.interval);
    const result = await release;
    return { reactionMs: back - fault, faultAfterMs: fault - entered, status: result.status, load: load() };
  } finally {
    await sim.deleteService(namespace, SERVICE);
    await removeObjects(env, namespace);
  }
}

export async function measureRollback(env: MeshEnv, trials: number): Promise<RollbackTrial[]> {
  const sim = new SimulatorClient(env.simulatorUrl);
  const out: RollbackTrial[] = [];
  for (let i = 0; i < trials; i++) out.push(await oneTrial(env, sim));
  return out;
}

export function rollbackSummary(trials: RollbackTrial[]) {
  const multiples = trials.map((t) => t.reactionMs / ROLLBACK.interval);
  return { median: median(multiples), max: Math.max(...multiples), p90: quantile(multiples, 0.9), multiples, rolledBack: trials.filter((t) => t.status === 'rolled-back').length };
}

if (import.meta.main) {
  const trials = await measureRollback(await meshEnv(), Number(process.argv[2] ?? 5));
  for (const t of trials) console.log(`${t.status}: fault ${(t.faultAfterMs / 1000).toFixed(2)} s into the stage, weight 0 after ${(t.reactionMs / 1000).toFixed(2)} s, load ${t.load}`);
  const s = rollbackSummary(trials);
  console.log(`interval ${ROLLBACK.interval / 1000} s; fault -> weight 0 in intervals: median ${s.median.toFixed(2)}, max ${s.max.toFixed(2)} (${s.multiples.map((m) => m.toFixed(2)).join(', ')})`);
}
