// Mesh simulator throughput on one core: requests/s routed and counted (route + behaviour +
// both proxies' telemetry + stats), side by side with routing alone and with a baseline of plain
// counter increments, measured in the same run. Run: npx node bench/simulator.ts

import { readFileSync } from 'node:fs';
import type { DestinationRule, VirtualService } from '../src/istio/types.ts';
import { buildTable } from '../test/sim/mesh-config.ts';
import { seededRandom } from '../test/sim/rng.ts';
import { RoundRobin, route, type RouteRequest } from '../test/sim/router.ts';
import { Simulator } from '../test/sim/simulator.ts';
import { parseWorldText } from '../test/sim/world-parse.ts';
import { interleavedMedians } from './stats.ts';

const NS = 'istioinaction';
const HOST = `catalog.${NS}.svc.cluster.local`;
const N = Number(process.env.SIM_BENCH_REQUESTS ?? 300_000);
const ROUNDS = 5;

// The demo's canary at its busiest: dark-launch header rule, then 90/10 weights with a 50 % mirror.
const vs: VirtualService = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'catalog', namespace: NS },
  spec: {
    hosts: ['catalog'],
    http: [
      { match: [{ headers: { 'x-istio-cohort': { exact: 'internal' } } }], route: [{ destination: { host: 'catalog', subset: 'version-v2' } }] },
      {
        route: [
          { destination: { host: 'catalog', subset: 'version-v1' }, weight: 90 },
          { destination: { host: 'catalog', subset: 'version-v2' }, weight: 10 },
        ],
        mirror: { host: 'catalog', subset: 'version-v2' },
        mirrorPercentage: { value: 50 },
      },
    ],
  },
};
const dr: DestinationRule = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'catalog', namespace: NS },
  spec: { host: 'catalog', subsets: [{ name: 'version-v1', labels: { version: 'v1' } }, { name: 'version-v2', labels: { version: 'v2' } }] },
};
const config = { virtualServices: [vs], destinationRules: [dr], serviceEntries: [] };
const world = parseWorldText('default-world.yaml', readFileSync(new URL('../test/sim/default-world.yaml', import.meta.url), 'utf8'));

function timeIt(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function fullPipeline(): number {
  const sim = new Simulator(world, 1);
  sim.setConfig(config);
  const service = sim.service(NS, 'catalog')!;
  return timeIt(() => sim.send(service, N));
}

function routingAlone(): number {
  const ctx = { table: buildTable(world, config), random: seededRandom(1), lb: new RoundRobin() };
  const plain: RouteRequest = { host: HOST, headers: {}, uri: '/items', method: 'GET', authority: HOST, sourceNamespace: NS, gateway: 'mesh' };
  const internal: RouteRequest = { ...plain, headers: { 'x-istio-cohort': 'internal' } };
  let served = 0;
  const seconds = timeIt(() => {
    for (let i = 0; i < N; i++) if (route(ctx, i % 10 === 0 ? internal : plain).live.kind === 'served') served++;
  });
  if (served === 0) throw new Error('routing served nothing');
  return seconds;
}

/** The floor: one Map counter increment per request, keyed like a series. */
function counterBaseline(): number {
  const counters = new Map<string, number>();
  const keys = ['source|v1|200', 'destination|v1|200', 'source|v2|200', 'destination|v2|200'];
  const seconds = timeIt(() => {
    for (let i = 0; i < N; i++) {
      const k = keys[i & 3]!;
      counters.set(k, (counters.get(k) ?? 0) + 1);
    }
  });
  if ([...counters.values()].reduce((a, b) => a + b, 0) !== N) throw new Error('baseline miscounted');
  return seconds;
}

fullPipeline(); // warm-up (JIT)
routingAlone();
counterBaseline();
// Each task returns its own seconds; interleaved so machine load affects the three alike.
const times = interleavedMedians({ full: fullPipeline, routing: routingAlone, baseline: counterBaseline }, ROUNDS, (work) => work() as number);
const rate = (s: number) => N / s;
const full = rate(times.full);
const routing = rate(times.routing);
const baseline = rate(times.baseline);

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`Mesh simulator throughput, one core, ${N.toLocaleString('en-US')} requests x ${ROUNDS} rounds (median)`);
console.log(`  route + behaviour + telemetry + stats : ${fmt(full)} req/s`);
console.log(`  routing alone                         : ${fmt(routing)} req/s`);
console.log(`  baseline: plain Map counter increments : ${fmt(baseline)} ops/s`);
console.log(`  full / routing alone   : ${(full / routing).toFixed(3)}`);
console.log(`  full / counter baseline: ${(full / baseline).toFixed(4)} (1 request costs ${(baseline / full).toFixed(1)} counter increments)`);
