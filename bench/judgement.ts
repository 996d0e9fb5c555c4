// Judgement accuracy: a Monte-Carlo run of the real analysis code (judgeCheck and
// explainStageDecision, as the engine calls them) over the default five stages, 5 m bakes, 1 m
// interval and `success-rate min 99 compare both`, at 1, 10, 100 and 1000 requests/s to the service.
// Each step of the engine's look schedule (7.5 s) draws the requests (Poisson) and their errors
// (binomial) for canary and stable; the schedule is replayed: a quick look every 7.5 s (counted
// checks, recorded only when they fail), a recorded look every 1 m, the final look at 5 m, all on
// the counts since the stage started.
// Beside it, the point-estimate rule of the peers: every 1 m, the last minute's success rate below
// 99 % fails the stage (Flagger's threshold with failureLimit 1; Argo's successCondition likewise).
//
// Traffic: dark launch = the header cohort, 10 % of the requests; mirror = a copy of 100 %; weights
// 10 / 50 / 100 % of the requests to the canary, the rest to stable. Healthy: canary and stable both
// at the error rate given. Bad: stable 0.2 %, canary 5 % from the start of the stage studied (and
// healthy, 0.2 %, before it).
//
//   npx node bench/judgement.ts [releases per cell, default 2000] [seed]
import { explainStageDecision } from '../src/analysis/decide.ts';
import { judgeCheck } from '../src/analysis/checks/registry.ts';
import { ROLE } from '../src/analysis/queries.ts';
import type { CheckSpec, CheckVerdict, Cohort, QueryResult } from '../src/analysis/types.ts';
import { quickLookEvery } from '../src/engine/bake.ts';
import type { AnalysisSpec } from '../src/spec/types.ts';
import { seededRandom } from '../test/sim/rng.ts';
import { median } from './stats.ts';

const RATES = [1, 10, 100, 1000];
const INTERVAL_MS = 60_000;
const BAKE_MS = 5 * INTERVAL_MS;
/** The engine's schedule: a look every quickLookEvery (7.5 s at 1 m), every eighth one recorded. */
const STEP_S = quickLookEvery(INTERVAL_MS) / 1000;
const STEPS_PER_INTERVAL = INTERVAL_MS / 1000 / STEP_S;
const STEPS_PER_STAGE = BAKE_MS / 1000 / STEP_S;
const DARK_LAUNCH_SHARE = 0.1;

interface Stage {
  name: string;
  cohort: Cohort;
  /** Share of the service's requests the canary sees, and stable's share of the live traffic. */
  canary: number;
  stable: number;
}

const STAGES: Stage[] = [
  { name: 'dark launch', cohort: 'dark-launch', canary: DARK_LAUNCH_SHARE, stable: 1 - DARK_LAUNCH_SHARE },
  { name: 'mirror', cohort: 'mirror', canary: 1, stable: 1 },
  { name: '10 %', cohort: 'shift', canary: 0.1, stable: 0.9 },
  { name: '50 %', cohort: 'shift', canary: 0.5, stable: 0.5 },
  { name: '100 %', cohort: 'shift', canary: 1, stable: 0 },
];

const CHECK: CheckSpec = { name: 'success', type: 'success-rate', min: 99, compare: 'both', minRequests: 20, noData: 'fail', failureLimit: 1 };
const ANALYSIS: AnalysisSpec = { interval: INTERVAL_MS, prometheus: { headers: {} }, checks: [CHECK], failureLimit: 1, alpha: 0.05 };

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function poisson(mean: number, random: () => number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

function binomial(n: number, p: number, random: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  const mean = n * p;
  if (n <= 64) {
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < p) k++;
    return k;
  }
  // Rare errors: Poisson is within a hair of the binomial; otherwise the normal approximation.
  if (p < 0.05 && mean < 50) return Math.min(n, poisson(mean, random));
  return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * normal(random))));
}

interface Counts {
  requests: number;
  errors: number;
}

function results(canary: Counts, stable: Counts): QueryResult[] {
  const r = (role: string, value: number): QueryResult => ({ role, promql: '', value });
  return [r(ROLE.canaryRequests, canary.requests), r(ROLE.canaryErrors, canary.errors), r(ROLE.canaryClientFailures, 0), r(ROLE.stableRequests, stable.requests), r(ROLE.stableErrors, stable.errors)];
}

interface StageOutcome {
  /** Rolled back in this stage, at which step (1-based), and why. */
  failedAt?: number;
  why?: 'evidence' | 'no-data';
}

/** The new judgement over one stage: quick looks, recorded looks and the final look. */
function judgeStageRun(stage: Stage, rate: number, canaryError: number, stableError: number, random: () => number): StageOutcome {
  const canary = { requests: 0, errors: 0 };
  const stable = { requests: 0, errors: 0 };
  const recorded: CheckVerdict[][] = [];
  const stableTrafficExpected = stage.cohort === 'shift' && stage.stable > 0 && stage.canary < 1;
  for (let step = 1; step <= STEPS_PER_STAGE; step++) {
    const c = poisson(rate * stage.canary * STEP_S, random);
    const s = poisson(rate * stage.stable * STEP_S, random);
    canary.requests += c;
    canary.errors += binomial(c, canaryError, random);
    stable.requests += s;
    stable.errors += binomial(s, stableError, random);
    const final = step === STEPS_PER_STAGE;
    const quick = step % STEPS_PER_INTERVAL !== 0;
    const verdict = judgeCheck(CHECK, stage.cohort, results(canary, stable), { alpha: ANALYSIS.alpha, final, quick, stableTrafficExpected });
    if (quick && verdict.status !== 'fail') continue;
    recorded.push([verdict]);
    const decision = explainStageDecision(ANALYSIS, recorded, { final, holdExpired: false }).decision;
    if (decision === 'fail') return { failedAt: step, why: verdict.status === 'no-data' ? 'no-data' : 'evidence' };
  }
  return {};
}

/** The peers' rule: every interval, the last interval's success rate against 99 %; no requests is no value (skipped). */
function peerStageRun(stage: Stage, rate: number, canaryError: number, random: () => number): StageOutcome {
  let window = { requests: 0, errors: 0 };
  for (let step = 1; step <= STEPS_PER_STAGE; step++) {
    const c = poisson(rate * stage.canary * STEP_S, random);
    window.requests += c;
    window.errors += binomial(c, canaryError, random);
    if (step % STEPS_PER_INTERVAL !== 0) continue;
    if (window.requests > 0 && (100 * (window.requests - window.errors)) / window.requests < 99) return { failedAt: step, why: 'evidence' };
    window = { requests: 0, errors: 0 };
  }
  return {};
}

interface ReleaseTally {
  rolledBack: number;
  noData: number;
}

function healthyReleases(rate: number, errorRate: number, releases: number, random: () => number): { ours: ReleaseTally; peer: ReleaseTally } {
  const ours = { rolledBack: 0, noData: 0 };
  const peer = { rolledBack: 0, noData: 0 };
  for (let i = 0; i < releases; i++) {
    for (const stage of STAGES) {
      const outcome = judgeStageRun(stage, rate, errorRate, errorRate, random);
      if (outcome.failedAt !== undefined) {
        if (outcome.why === 'no-data') ours.noData++;
        else ours.rolledBack++;
        break;
      }
    }
    for (const stage of STAGES) {
      if (peerStageRun(stage, rate, errorRate, random).failedAt !== undefined) {
        peer.rolledBack++;
        break;
      }
    }
  }
  return { ours, peer };
}

interface BadTally {
  caught: number;
  noData: number;
  steps: number[];
  peerCaught: number;
  meanCanaryRequests: number;
}

function badStage(stage: Stage, rate: number, trials: number, random: () => number): BadTally {
  const tally: BadTally = { caught: 0, noData: 0, steps: [], peerCaught: 0, meanCanaryRequests: rate * stage.canary * STEP_S * STEPS_PER_STAGE };
  for (let i = 0; i < trials; i++) {
    const outcome = judgeStageRun(stage, rate, 0.05, 0.002, random);
    if (outcome.failedAt !== undefined) {
      if (outcome.why === 'no-data') tally.noData++;
      else {
        tally.caught++;
        tally.steps.push(outcome.failedAt);
      }
    }
    if (peerStageRun(stage, rate, 0.05, random).failedAt !== undefined) tally.peerCaught++;
  }
  return tally;
}

function pct(x: number, n: number): string {
  return `${((100 * x) / n).toFixed(2)} %`;
}

function main(): void {
  const releases = Number(process.argv[2] ?? 2000);
  const random = seededRandom(Number(process.argv[3] ?? 14));
  const started = Date.now();
  console.log(`# Judgement: ${releases} releases per cell, five stages (dark launch ${DARK_LAUNCH_SHARE * 100} % cohort, mirror 100 %, 10/50/100 %), 5 m bakes, 1 m interval, quick looks every ${STEP_S} s, success-rate min 99 compare both, alpha 0.05\n`);
  console.log('## Healthy canary (same error rate as stable): releases rolled back\n');
  console.log('| req/s | error rate | ours: on evidence | ours: no data (< minRequests, policy fail) | peers\' point rule |');
  console.log('|---|---|---|---|---|');
  for (const rate of RATES) {
    for (const errorRate of [0.002, 0.005]) {
      const { ours, peer } = healthyReleases(rate, errorRate, releases, random);
      console.log(`| ${rate} | ${errorRate * 100} % | ${pct(ours.rolledBack, releases)} | ${pct(ours.noData, releases)} | ${pct(peer.rolledBack, releases)} |`);
    }
  }
  const trials = Math.max(200, Math.floor(releases / 2));
  console.log(`\n## Bad canary (5 % errors from the start of the stage, stable 0.2 %): ${trials} stages per cell\n`);
  console.log('| req/s | stage | canary requests in the stage (mean) | ours: rolled back in the stage | median time to rollback (intervals) | ours: no data | peers\' point rule |');
  console.log('|---|---|---|---|---|---|---|');
  for (const rate of RATES) {
    for (const stage of STAGES) {
      const t = badStage(stage, rate, trials, random);
      const time = median(t.steps) / STEPS_PER_INTERVAL;
      console.log(`| ${rate} | ${stage.name} | ${Math.round(t.meanCanaryRequests)} | ${pct(t.caught, trials)} | ${Number.isNaN(time) ? '—' : time.toFixed(2)} | ${pct(t.noData, trials)} | ${pct(t.peerCaught, trials)} |`);
    }
  }
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main();
