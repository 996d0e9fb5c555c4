// Start time of the local mesh (API server with Istio's CRDs, simulator, Prometheus), cold and warm,
// measured side by side in one run. Cold: empty binary cache and empty Go build cache, so the
// API server is compiled first (Go modules already downloaded: the network is not measured).
// Warm: the binary cached, fresh data directories. Each start uses its own temporary state dir and
// ports, so a mesh already running for tests is neither reused nor disturbed.
// Run: npx node bench/stack.ts   (STACK_BENCH_WARM_ROUNDS=5 by default)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureApiserverBinary } from '../test/env/apiserver.ts';
import { startMesh, stopMesh } from '../test/env/mesh.ts';
import { median } from './stats.ts';

const WARM_ROUNDS = Number(process.env['STACK_BENCH_WARM_ROUNDS'] ?? 5);

function scratch(name: string): string {
  return mkdtempSync(join(tmpdir(), `istio-canary-bench-${name}-`));
}

/** Starts a mesh in a fresh state dir, returns the seconds it took, and stops it again. */
async function timedStart(): Promise<number> {
  const stateDir = scratch('state');
  const start = performance.now();
  try {
    await startMesh({ stateDir });
    return (performance.now() - start) / 1000;
  } finally {
    await stopMesh({ stateDir });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const binaryCache = scratch('bin');
const goBuildCache = scratch('gocache');
process.env['ISTIO_CANARY_CACHE_DIR'] = binaryCache;
process.env['GOCACHE'] = goBuildCache;
try {
  const buildStart = performance.now();
  await ensureApiserverBinary();
  const build = (performance.now() - buildStart) / 1000;
  const firstStart = await timedStart();
  const cold = build + firstStart;

  const warm: number[] = [];
  for (let round = 0; round < WARM_ROUNDS; round++) warm.push(await timedStart());
  const warmMedian = median(warm);

  console.log(`cold start (go build ${build.toFixed(1)} s + start ${firstStart.toFixed(1)} s): ${cold.toFixed(1)} s`);
  console.log(`warm start, median of ${WARM_ROUNDS} (min ${Math.min(...warm).toFixed(1)} s, max ${Math.max(...warm).toFixed(1)} s): ${warmMedian.toFixed(1)} s`);
  console.log(`ratio cold / warm: ${(cold / warmMedian).toFixed(1)}`);
} finally {
  rmSync(binaryCache, { recursive: true, force: true });
  rmSync(goBuildCache, { recursive: true, force: true });
}
