// The release engine's figures (issue 4), all from one run on the local mesh, printed as a
// markdown table: stage transition vs kubectl, fault to weight 0 in analysis intervals, release
// wall time / bakes, action cold start / bare node. Needs the mesh (`npm run mesh:up`, or it
// starts it) and the bundle (`npm run bundle`).
//   npx node bench/release.ts [--transitions N] [--rollbacks N] [--releases N] [--cold-runs N]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { attributeColdStart, coldStartSummary, FLOOR, measureColdStart } from './release-coldstart.ts';
import { load, meshEnv } from './release-common.ts';
import { measureRollback, ROLLBACK, rollbackSummary } from './release-rollback.ts';
import { measureTransition, transitionSummary } from './release-transition.ts';
import { measureWall, WALL, wallSummary } from './release-wall.ts';

const { values } = parseArgs({
  options: {
    transitions: { type: 'string', default: '60' },
    rollbacks: { type: 'string', default: '6' },
    releases: { type: 'string', default: '3' },
    'cold-runs': { type: 'string', default: '30' },
  },
});
const count = (name: keyof typeof values) => Number(values[name]);

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

const env = await meshEnv();
console.error(`machine: ${cpus().length} cores; load ${load()}`);

console.error('1/4 stage transition vs kubectl ...');
const transition = await measureTransition(env, count('transitions'));
const t = transitionSummary(transition);

console.error('2/4 fault to canary weight 0 ...');
const rollbacks = await measureRollback(env, count('rollbacks'));
const r = rollbackSummary(rollbacks);

console.error('3/4 whole release wall time ...');
const wall = await measureWall(env, count('releases'));
const w = wallSummary(wall);

console.error('4/4 action cold start ...');
const cold = await measureColdStart(count('cold-runs'));
const c = coldStartSummary(cold);
const attribution = await attributeColdStart(5);

const index = cold.sizes.find((s) => s.file === 'dist/index.js')!;
console.log(`| figure | ours | baseline | ratio |
|---|---|---|---|
| stage transition, median (${transition.iterations} iterations) | ${f1(t.engine.median)} ms | ${f1(t.kubectl.median)} ms | ${f2(t.ratioMedian)} |
| stage transition, p90 | ${f1(t.engine.p90)} ms | ${f1(t.kubectl.p90)} ms | ${f2(t.ratioP90)} |
| one step as a process: \`istio-canary start\` vs kubectl, median | ${f1(t.cli.median)} ms | ${f1(t.kubectl.median)} ms | ${f2(t.cliRatioMedian)} |
| fault → canary weight 0, median of ${rollbacks.length} (max) | ${f2((r.median * ROLLBACK.interval) / 1000)} s | interval ${ROLLBACK.interval / 1000} s | ${f2(r.median)} (${f2(r.max)}) |
| whole release, median of ${w.promoted} promoted | ${f2(w.medianWallMs / 1000)} s | bakes ${wall.sumOfBakesMs / 1000} s | ${f2(w.ratio)} |
| action cold start, median of ${cold.runs} | ${f1(c.medians['node dist/index.js']!)} ms | ${f1(c.medians['node -e ""']!)} ms | ${f2(c.ratios['node dist/index.js']!)} |
| floor: a bundle of @actions/core alone reading one input | ${f1(c.medians[FLOOR]!)} ms | ${f1(c.medians['node -e ""']!)} ms | ${f2(c.ratios[FLOOR]!)} |
`);
console.log(`stage transition: engine without the discovery shim ${f1(t.direct.median)} ms median (p90 ${f1(t.direct.p90)}); kubectl ${transition.kubectl.version} process alone (version --client) ${f1(t.start.median)} ms`);
console.log(`fault → weight 0 in intervals: ${r.multiples.map(f2).join(', ')}; rolled back ${r.rolledBack}/${rollbacks.length}`);
console.log(`release wall / bakes: ${w.ratios.map((x) => x.toFixed(3)).join(', ')} (${WALL.stages} stages × ${WALL.bake / 1000} s, settle ${WALL.settle / 1000} s, interval ${WALL.interval / 1000} s)`);
console.log(`cold start medians: ${Object.entries(c.medians).map(([k, v]) => `${k} ${f1(v)} ms (${f2(c.ratios[k]!)})`).join('; ')}`);
console.log(`bundle: dist/index.js ${(index.bytes / 1024).toFixed(0)} KiB, ${(index.startupBytes / 1024).toFixed(0)} KiB loaded at start (${(index.startupGzip / 1024).toFixed(0)} KiB gzip); dist/ ${cold.files} files, ${(cold.totalBytes / 1024).toFixed(0)} KiB`);
console.log(`start-up self time by package (unminified build, total ${attribution.totalMs.toFixed(0)} ms): ${attribution.perPackage.slice(0, 8).map(([k, v]) => `${k} ${f1(v)}`).join('; ')}`);
console.log(`load average: before ${transition.loadBefore}; after ${load()}`);
