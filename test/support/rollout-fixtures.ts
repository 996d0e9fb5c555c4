// Small builders of specs, rollout states and verdicts for report and adapter tests.
import type { CheckVerdict } from '../../src/analysis/types.ts';
import type { Evaluation, RolloutState, StageRecord } from '../../src/core/state.ts';
import type { CanarySpec, CheckSpec } from '../../src/spec/types.ts';

export function checkSpec(name: string, type: CheckSpec['type'] = 'success-rate'): CheckSpec {
  return { name, type, compare: 'absolute', minRequests: 20, noData: 'fail', failureLimit: 1, ...(type === 'latency-p99' ? { max: 500 } : { min: 99 }) };
}

export function canarySpec(overrides: Partial<CanarySpec> = {}): CanarySpec {
  return {
    name: 'catalog',
    namespace: 'istioinaction',
    virtualService: 'catalog',
    destinationRule: 'catalog',
    host: 'catalog.istioinaction.svc.cluster.local',
    stable: { subset: 'version-v1', labels: { version: 'v1' }, workload: 'catalog-v1', version: 'v1' },
    canary: { subset: 'version-v2', labels: { version: 'v2' }, workload: 'catalog-v2', version: 'v2' },
    stages: [
      { kind: 'darkLaunch', bake: 60_000, pause: false, headers: { 'x-istio-cohort': { exact: 'internal' } }, keep: true },
      { kind: 'mirror', bake: 60_000, pause: false, percentage: 100 },
      { kind: 'weight', bake: 60_000, pause: false, weight: 10 },
      { kind: 'weight', bake: 60_000, pause: false, weight: 50 },
      { kind: 'weight', bake: 60_000, pause: false, weight: 100 },
    ],
    bake: 60_000,
    settle: 5_000,
    analysis: {
      interval: 60_000,
      prometheus: { headers: {} },
      checks: [checkSpec('success-rate'), checkSpec('latency-p99', 'latency-p99')],
      failureLimit: 1,
      alpha: 0.05,
    },
    source: { file: 'canary.yaml' },
    ...overrides,
  };
}

export function verdict(check: string, status: CheckVerdict['status'], value: number | undefined, overrides: Partial<CheckVerdict> = {}): CheckVerdict {
  return {
    check,
    status,
    ...(value !== undefined ? { value } : {}),
    threshold: check === 'latency-p99' ? '<= 500ms' : '>= 99%',
    reason: `${check} ${status}`,
    requests: 1200,
    queries: [{ role: 'value', promql: `sum(rate(istio_requests_total{destination_workload="catalog-v2"}[1m])) /* ${check} */`, value }],
    ...overrides,
  };
}

export function evaluation(at: string, verdicts: CheckVerdict[], decision: Evaluation['decision'] = 'continue'): Evaluation {
  return { at, decision, verdicts };
}

export function stageRecord(stage: string, overrides: Partial<StageRecord> = {}): StageRecord {
  return {
    stage,
    summary: `stage ${stage}`,
    startedAt: '2026-01-01T10:00:00.000Z',
    endedAt: '2026-01-01T10:01:30.000Z',
    result: 'passed',
    canaryWeight: 0,
    mirrorPercentage: 0,
    headerRule: false,
    evaluations: [],
    ...overrides,
  };
}

export function rolloutState(overrides: Partial<RolloutState> = {}): RolloutState {
  return {
    schema: 1,
    canary: 'catalog',
    specHash: 'abc123',
    canarySubset: 'version-v2',
    status: 'in-progress',
    stageIndex: 0,
    stageStartedAt: '2026-01-01T10:00:00.000Z',
    runUrl: 'https://github.com/acme/shop/actions/runs/42',
    history: [],
    ...overrides,
  };
}
