// Realistic reports for the rendering tests and the README screenshot: a release rolled back at
// 50 % by a failed canary-vs-stable gate, and one still baking at 10 %.
import { DEFAULT_REPORT_LIMIT, renderReport, type ReportLinks } from '../../src/report/markdown.ts';
import { canarySpec, checkSpec, evaluation, rolloutState, stageRecord, verdict } from './rollout-fixtures.ts';

export const SAMPLE_LINKS: ReportLinks = {
  dispatch: { owner: 'acme', repo: 'shop', workflowFile: 'canary-dispatch.yml' },
  runUrl: 'https://github.com/acme/shop/actions/runs/4242',
};

const spec = canarySpec({
  analysis: {
    interval: 60_000,
    prometheus: { headers: {} },
    checks: [{ ...checkSpec('errors'), compare: 'both' }, checkSpec('latency', 'latency-p99')],
    failureLimit: 1,
    alpha: 0.05,
  },
});

const minute = (m: number, s = 0) => new Date(Date.parse('2026-01-01T10:00:00Z') + m * 60_000 + s * 1000).toISOString();

function healthy(at: string, rate: number, p99: number, requests: number) {
  return evaluation(at, [
    verdict('errors', 'pass', rate, { stableValue: 100, threshold: 'success rate >= 99%', reason: `canary ${rate}% success over ${requests} requests >= 99%`, requests }),
    verdict('latency', 'pass', p99, { threshold: 'p99 <= 500 ms', reason: `canary p99 ${p99} ms <= 500 ms`, requests }),
  ]);
}

export const rolledBackState = rolloutState({
  status: 'rolled-back',
  stageIndex: -1,
  reason: 'stage 03-weight-50: errors failed',
  history: [
    stageRecord('00-dark-launch', { headerRule: true, startedAt: minute(0), endedAt: minute(2), evaluations: [healthy(minute(1), 100, 112, 64), healthy(minute(2), 100, 118, 70)] }),
    stageRecord('01-mirror', { headerRule: true, mirrorPercentage: 100, startedAt: minute(2), endedAt: minute(4), evaluations: [healthy(minute(3), 99.8, 131, 640), healthy(minute(4), 99.9, 127, 655)] }),
    stageRecord('02-weight-10', { headerRule: true, canaryWeight: 10, startedAt: minute(4), endedAt: minute(6), evaluations: [healthy(minute(5), 99.7, 140, 81), healthy(minute(6), 99.6, 151, 84)] }),
    stageRecord('03-weight-50', {
      headerRule: true,
      canaryWeight: 50,
      result: 'failed',
      startedAt: minute(6),
      endedAt: minute(7, 10),
      evaluations: [
        evaluation(minute(7), [
          verdict('errors', 'fail', 61.6, {
            stableValue: 100,
            threshold: 'success rate >= 99% and binomial p >= 0.0125 (canary errors no worse than stable)',
            reason: 'canary 61.6% success (28/73 errors) < 99%; canary 28/73 errors vs stable 0/84, p=5e-10 < 0.0125',
            requests: 73,
            queries: [
              { role: 'canary-requests', promql: 'sum(increase(istio_requests_total{reporter="destination",destination_workload="catalog-v2",destination_workload_namespace="istioinaction"}[1m]))', value: 73 },
              { role: 'canary-errors', promql: 'sum(increase(istio_requests_total{reporter="destination",destination_workload="catalog-v2",destination_workload_namespace="istioinaction",response_code=~"5.."}[1m]))', value: 28 },
            ],
          }),
          verdict('latency', 'pass', 188, { threshold: 'p99 <= 500 ms', reason: 'canary p99 188 ms <= 500 ms', requests: 73 }),
        ], 'fail'),
      ],
    }),
    stageRecord('rollback', { result: 'rolled-back', startedAt: minute(7, 10), endedAt: minute(7, 11) }),
  ],
});

export function sampleReport(maxLength = DEFAULT_REPORT_LIMIT): string {
  return renderReport({ spec, state: rolledBackState, links: SAMPLE_LINKS, maxLength });
}

export { spec as sampleSpec };
