// Test data shared by the analysis tests.
import type { CheckSpec, QueryVars } from '../../../src/analysis/types.ts';
import type { AnalysisSpec } from '../../../src/spec/types.ts';

export const vars: QueryVars = {
  namespace: 'shop',
  service: 'catalog.shop.svc.cluster.local',
  canaryWorkload: 'catalog-v2',
  stableWorkload: 'catalog-v1',
  canaryVersion: 'v2',
  stableVersion: 'v1',
  interval: '1m',
};

export function check(overrides: Partial<CheckSpec> = {}): CheckSpec {
  return { name: 'success', type: 'success-rate', min: 99, compare: 'absolute', minRequests: 20, noData: 'fail', failureLimit: 1, ...overrides };
}

export function analysis(checks: CheckSpec[], overrides: Partial<AnalysisSpec> = {}): AnalysisSpec {
  return { interval: 60_000, prometheus: { headers: {} }, checks, failureLimit: 1, alpha: 0.05, ...overrides };
}
