// Time to plan a VirtualService with 1,000 http routes, as a ratio to parsing the same YAML with the
// `yaml` package, measured side by side in one run (median of several rounds; each round repeats
// the work enough times to be well above timer resolution); then the text `istio-canary plan` prints
// (plan + every stage's diff) for 10,000 routes against parsing that YAML (goal: at most 3 ×).
// Run: npx node bench/plan.ts (PLAN_BENCH_LARGE=0 skips the 10,000-route part).
import { parse, stringify } from 'yaml';
import type { DestinationRule, HttpRoute, VirtualService } from '../src/istio/types.ts';
import { planRelease } from '../src/routing/virtual-service/plan.ts';
import { planFiles, planText } from '../src/plan/render.ts';
import { canarySpec } from '../test/unit/plan/helpers.ts';
import { interleavedMedians } from './stats.ts';

const ROUTES = 1_000;
const ROUNDS = Number(process.env.PLAN_BENCH_ROUNDS ?? 9);
const REPEAT = 5;

function otherRoute(i: number): HttpRoute {
  return {
    name: `r-${i}`,
    match: [{ uri: { prefix: `/api/v${i % 7}/items/${i}` }, headers: { 'x-tenant': { exact: `t${i % 13}` } } }],
    route: [{ destination: { host: `svc-${i % 20}.shop.svc.cluster.local`, port: { number: 8080 } }, weight: 100 }],
    timeout: '2s',
    retries: { attempts: 2, perTryTimeout: '500ms', retryOn: 'gateway-error,connect-failure' },
    headers: { request: { set: { 'x-route': `r-${i}` } } },
  };
}

function virtualService(routes: number): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'catalog', namespace: 'istioinaction', resourceVersion: '1' },
    spec: {
      hosts: ['catalog', 'catalog.example.com'],
      gateways: ['mesh', 'istio-system/public'],
      http: [...Array.from({ length: routes - 1 }, (_, i) => otherRoute(i)), { name: 'primary', timeout: '3s', route: [{ destination: { host: 'catalog' } }] }],
    },
  };
}
const vs = virtualService(ROUTES);
const dr: DestinationRule = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'catalog', namespace: 'istioinaction' },
  spec: { host: 'catalog', subsets: [{ name: 'version-v1', labels: { version: 'v1' } }] },
};
// The example spec (catalog v1 → v2, the five default stages) on the owned route `primary`.
const spec = canarySpec({ route: 'primary' });

const text = stringify(vs);

function timeIt(work: () => unknown): number {
  const start = performance.now();
  for (let i = 0; i < REPEAT; i++) work();
  return (performance.now() - start) / REPEAT;
}

const parsed = parse(text) as VirtualService;
const tasks = {
  parse: () => parse(text),
  plan: () => planRelease(spec, parsed, dr),
  planAndRender: () => planFiles(planRelease(spec, parsed, dr)),
};
for (const work of Object.values(tasks)) work(); // warm-up: JIT and ajv compilation

const { parse: parseMs, plan: planMs, planAndRender: renderMs } = interleavedMedians(tasks, ROUNDS, timeIt);

const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(`VirtualService with ${ROUTES} http routes, ${(text.length / 1024).toFixed(0)} KiB of YAML; 5 stages + promoted + rollback; median of ${ROUNDS} rounds`);
console.log(`parse YAML (yaml package)          ${ms(parseMs)}`);
console.log(`planRelease (validates every VS)   ${ms(planMs)}   ratio to parse: ${(planMs / parseMs).toFixed(2)}`);
console.log(`planRelease + render files         ${ms(renderMs)}   ratio to parse: ${(renderMs / parseMs).toFixed(2)}`);

// --- every route owned (no `route:` in the spec): 1,000 routes to the stable version, each its own match ---
{
  const owned: VirtualService = {
    ...vs,
    spec: { ...vs.spec, http: Array.from({ length: ROUTES }, (_, i) => ({ ...otherRoute(i), name: undefined, match: [{ uri: { prefix: `/shop/${i}/` } }], route: [{ destination: { host: 'catalog' } }] })) },
  };
  const ownedText = stringify(owned);
  const ownedParsed = parse(ownedText) as VirtualService;
  const defaultSpec = canarySpec();
  const ownedTasks = { parse: () => parse(ownedText), plan: () => planRelease(defaultSpec, ownedParsed, dr) };
  for (const work of Object.values(ownedTasks)) work();
  const { parse: ownedParse, plan: ownedPlan } = interleavedMedians(ownedTasks, Math.min(ROUNDS, 3));
  console.log(`\nVirtualService with ${ROUTES} http routes, every one owned (a header rule before each); median of ${Math.min(ROUNDS, 3)} rounds`);
  console.log(`parse YAML (yaml package)          ${ms(ownedParse)}`);
  console.log(`planRelease, ${ROUTES} owned routes      ${ms(ownedPlan)}   ratio to parse: ${(ownedPlan / ownedParse).toFixed(2)}`);
}

// --- the plan text for 10,000 routes, against parsing its YAML ---
if (process.env.PLAN_BENCH_LARGE !== '0') {
  const LARGE = 10_000;
  const LARGE_ROUNDS = Number(process.env.PLAN_BENCH_LARGE_ROUNDS ?? 3);
  const largeText = stringify(virtualService(LARGE));
  const large = parse(largeText) as VirtualService;
  const largeTasks = {
    parse: () => parse(largeText),
    planText: () => planText(planRelease(spec, large, dr), [large, dr]),
  };
  const { parse: largeParse, planText: largePlan } = interleavedMedians(largeTasks, LARGE_ROUNDS);
  console.log(`\nVirtualService with ${LARGE} http routes, ${(largeText.length / 1024 / 1024).toFixed(1)} MiB of YAML; median of ${LARGE_ROUNDS} rounds`);
  console.log(`parse YAML (yaml package)          ${ms(largeParse)}`);
  console.log(`plan text (plan + every diff)      ${ms(largePlan)}   ratio to parse: ${(largePlan / largeParse).toFixed(2)} (goal: at most 3)`);
}
