// Figure 3: wall time of a whole healthy release (`run`: five stages, bake, judge, advance,
// promote) divided by the sum of the configured bakes. The canary is the simulator's catalog v2 in
// a namespace of its own, judged from Prometheus. Run alone: npx node bench/release-wall.ts [trials]
import { performance } from 'node:perf_hooks';
import { runRelease } from '../src/app/release.ts';
import type { MeshEnv } from '../test/env/mesh.ts';
import { SimulatorClient } from '../test/sim/client.ts';
import { benchNamespace, benchSpec, createInitialObjects, defaultStages, load, median, meshEnv, putCatalog, quietLog, removeObjects, routingFor, SERVICE } from './release-common.ts';

export const WALL = { bake: 3_000, stages: 5, settle: 1_000, interval: 2_000, requestsPerSecond: 100 };

export interface WallTrial {
  wallMs: number;
  status: string;
  evaluations: number;
  load: string;
}

export interface WallFigures {
  sumOfBakesMs: number;
  trials: WallTrial[];
}

async function oneRelease(env: MeshEnv, sim: SimulatorClient): Promise<WallTrial> {
  const namespace = benchNamespace('wall');
  await putCatalog(sim, namespace, WALL.requestsPerSecond);
  try {
    await createInitialObjects(routingFor(env), namespace);
    const spec = benchSpec(namespace, { stages: defaultStages(WALL.bake), settle: WALL.settle, interval: WALL.interval, prometheusUrl: env.prometheusUrl });
    const start = performance.now();
    const result = await runRelease({ spec, command: 'run', kubeconfigPath: env.kubeconfig, log: quietLog, reports: [], holderId: 'bench-wall' });
    const wallMs = performance.now() - start;
    const evaluations = result.state.history.reduce((n, record) => n + record.evaluations.length, 0);
    return { wallMs, status: result.status, evaluations, load: load() };
  } finally {
    await sim.deleteService(namespace, SERVICE);
    await removeObjects(env, namespace);
  }
}

export async function measureWall(env: MeshEnv, trials: number): Promise<WallFigures> {
  const sim = new SimulatorClient(env.simulatorUrl);
  const figures: WallFigures = { sumOfBakesMs: WALL.bake * WALL.stages, trials: [] };
  for (let i = 0; i < trials; i++) figures.trials.push(await oneRelease(env, sim));
  return figures;
}

export function wallSummary(f: WallFigures) {
  const promoted = f.trials.filter((t) => t.status === 'promoted');
  const walls = promoted.map((t) => t.wallMs);
  return {
    promoted: promoted.length,
    medianWallMs: walls.length ? median(walls) : NaN,
    ratio: walls.length ? median(walls) / f.sumOfBakesMs : NaN,
    ratios: walls.map((w) => w / f.sumOfBakesMs),
  };
}

if (import.meta.main) {
  const f = await measureWall(await meshEnv(), Number(process.argv[2] ?? 3));
  for (const t of f.trials) console.log(`${t.status}: ${(t.wallMs / 1000).toFixed(2)} s, ${t.evaluations} evaluations, load ${t.load}`);
  const s = wallSummary(f);
  console.log(`sum of bakes ${f.sumOfBakesMs / 1000} s (settle ${WALL.settle / 1000} s, interval ${WALL.interval / 1000} s); wall / bakes: median ${s.ratio.toFixed(3)} (${s.ratios.map((r) => r.toFixed(3)).join(', ')})`);
}
