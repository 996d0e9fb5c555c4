// A grouped query's series split into the canary's and stable's numbers, by workload or by Service.
import { describe, expect, it } from 'vitest';
import { splitGrouped } from '../../../src/analysis/grouped.ts';
import type { Sample } from '../../../src/analysis/metrics-source.ts';
import { CLIENT_FAILURES_SERIES } from '../../../src/analysis/queries.ts';

const CANARY = 'app-canary.shop.svc.cluster.local';
const STABLE = 'app-stable.shop.svc.cluster.local';

describe('splitGrouped with one Service per version', () => {
  const query = {
    role: 'traffic',
    promql: `… or label_replace(…, "destination_service", "${CLIENT_FAILURES_SERIES}", "", "")`,
    grouped: { kind: 'traffic' as const, canary: CANARY, stable: STABLE, label: 'destination_service' as const },
  };

  it('tells the versions apart by destination_service although both run under one workload', () => {
    const samples: Sample[] = [
      { labels: { destination_service: CANARY, destination_workload: 'app', response_code: '200' }, value: 90 },
      { labels: { destination_service: CANARY, destination_workload: 'app', response_code: '503' }, value: 10 },
      { labels: { destination_service: STABLE, destination_workload: 'app', response_code: '200' }, value: 400 },
      { labels: { destination_service: CLIENT_FAILURES_SERIES, response_code: '503' }, value: 4 },
    ];
    const byRole = Object.fromEntries(splitGrouped(query, samples).map((r) => [r.role, r.value]));
    expect(byRole).toEqual({ 'canary-requests': 100, 'canary-errors': 10, 'canary-client-failures': 4, 'stable-requests': 400, 'stable-errors': 0 });
  });

  it('ignores the workload label in this mode (a series of the shared workload under another Service is neither version)', () => {
    const samples: Sample[] = [{ labels: { destination_service: 'other.shop.svc.cluster.local', destination_workload: CANARY, response_code: '200' }, value: 7 }];
    expect(splitGrouped(query, samples).find((r) => r.role === 'canary-requests')?.value).toBeUndefined();
  });
});
