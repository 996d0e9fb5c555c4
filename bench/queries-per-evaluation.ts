// Prometheus queries per check per evaluation, and per analysis interval (quick looks included where
// the engine has them), for the default checks in every kind of stage. It reads only the planner and
// the bake schedule, so the same script runs on an older checkout for the "before" figures:
//   npx node bench/queries-per-evaluation.ts
import * as bake from '../src/engine/bake.ts';
import { planCheckQueries } from '../src/analysis/checks/registry.ts';
import type { CheckSpec, Cohort, QueryVars } from '../src/analysis/types.ts';

const vars: QueryVars = { namespace: 'shop', service: 'catalog.shop.svc.cluster.local', canaryWorkload: 'catalog-v2', stableWorkload: 'catalog-v1', canaryVersion: 'v2', stableVersion: 'v1', interval: '1m' };
const base = { minRequests: 20, noData: 'fail', failureLimit: 1 } as const;
const checks: CheckSpec[] = [
  { ...base, name: 'success-rate min 99 compare both', type: 'success-rate', min: 99, compare: 'both' },
  { ...base, name: 'latency-p99 max 500 compare both', type: 'latency-p99', max: 500, compare: 'both' },
  { ...base, name: 'custom (minRequests 20)', type: 'custom', query: 'sum(x{ns="{{ namespace }}"})', max: 1, compare: 'absolute' },
];
const cohorts: Cohort[] = ['dark-launch', 'mirror', 'shift'];

const interval = 60_000;
const quickLookEvery = (bake as { quickLookEvery?: (interval: number) => number }).quickLookEvery;
const looksPerInterval = quickLookEvery ? Math.round(interval / quickLookEvery(interval)) : 1;

console.log(`| check | ${cohorts.map((c) => `${c}: per evaluation`).join(' | ')} | per 1 m interval (weight stage${looksPerInterval > 1 ? `, ${looksPerInterval - 1} quick looks + 1 recorded` : ''}) |`);
console.log(`|---|${cohorts.map(() => '---').join('|')}|---|`);
for (const check of checks) {
  const counts = cohorts.map((c) => planCheckQueries(check, c, vars).length);
  const perInterval = check.type === 'custom' ? counts[2]! : counts[2]! * looksPerInterval;
  console.log(`| ${check.name} | ${counts.join(' | ')} | ${perInterval} |`);
}
