import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RE2JS } from 're2js';
import { CLIENT_SIDE_FAILURE_FLAGS, planCheckQueries, serviceHostPattern } from '../../../src/analysis/queries.ts';
import type { Cohort } from '../../../src/analysis/types.ts';
import { InputError } from '../../../src/errors.ts';
import { check, vars } from './fixtures.ts';
import { parsePromql } from './promql-parse.ts';

const CANARY = 'reporter="destination",destination_workload_namespace="shop",destination_workload="catalog-v2"';
const STABLE = 'reporter="destination",destination_workload_namespace="shop",destination_workload="catalog-v1"';

const roles = (cohort: Cohort, overrides: Parameters<typeof check>[0]) => planCheckQueries(check(overrides), cohort, vars).map((q) => q.role);

describe('planCheckQueries: success-rate', () => {
  it('counts canary requests and 5xx from the destination side, and unreachable-canary failures from the source side', () => {
    expect(planCheckQueries(check(), 'shift', vars)).toEqual([
      { role: 'canary-requests', promql: `sum(increase(istio_requests_total{${CANARY}}[1m]))` },
      {
        role: 'canary-client-failures',
        promql:
          'sum(increase(istio_requests_total{reporter="source",' +
          'destination_service=~"(catalog\\\\.shop\\\\.svc\\\\.cluster\\\\.local|catalog|catalog\\\\.shop|catalog\\\\.shop\\\\.svc)(:[0-9]+)?",' +
          'response_flags=~"(.*,)?(UH|NC|UF)(,.*)?"}[1m])) or vector(0)',
      },
      { role: 'canary-errors', promql: `sum(increase(istio_requests_total{${CANARY},response_code=~"5.."}[1m])) or vector(0)` },
    ]);
  });

  it('counts a client-side failure also when Envoy reports it with other flags (UF,URX after retries)', () => {
    // Envoy joins response flags with commas; PromQL anchors the regex at both ends.
    const flags = RE2JS.compile(`^(?:${CLIENT_SIDE_FAILURE_FLAGS})$`);
    for (const hit of ['UH', 'NC', 'UF', 'UF,URX', 'URX,UF', 'DC,UH,URX']) expect(flags.matches(hit), hit).toBe(true);
    for (const miss of ['-', 'URX', 'UO', 'DC', 'UT,URX', 'NFCF']) expect(flags.matches(miss), miss).toBe(false);
  });

  it('judges the mirror stage from reporter="destination" only', () => {
    const queries = planCheckQueries(check({ compare: 'both' }), 'mirror', vars);
    expect(queries.map((q) => q.role)).toEqual(['canary-requests', 'canary-errors']);
    for (const q of queries) {
      expect(q.promql).toContain('reporter="destination"');
      expect(q.promql).not.toContain('reporter="source"');
    }
  });

  it('counts client-side failures in the dark launch too (only the header cohort reaches the canary there)', () => {
    expect(roles('dark-launch', {})).toEqual(['canary-requests', 'canary-client-failures', 'canary-errors']);
  });

  it('adds stable counts for relative comparisons in weight stages only', () => {
    expect(roles('shift', { compare: 'relative' })).toEqual(['canary-requests', 'canary-client-failures', 'canary-errors', 'stable-requests', 'stable-errors']);
    expect(roles('shift', { compare: 'both' })).toContain('stable-errors');
    expect(roles('dark-launch', { compare: 'relative' })).not.toContain('stable-requests');
    const stable = planCheckQueries(check({ compare: 'relative' }), 'shift', vars).find((q) => q.role === 'stable-errors');
    expect(stable?.promql).toBe(`sum(increase(istio_requests_total{${STABLE},response_code=~"5.."}[1m])) or vector(0)`);
  });
});

describe('planCheckQueries: latency-p99', () => {
  const latency = { name: 'latency', type: 'latency-p99' as const, max: 500, min: undefined };

  it('takes p99 of the canary histogram and counts its requests', () => {
    expect(planCheckQueries(check(latency), 'mirror', vars)).toEqual([
      { role: 'canary-requests', promql: `sum(increase(istio_requests_total{${CANARY}}[1m]))` },
      { role: 'value', promql: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${CANARY}}[1m])))` },
    ]);
  });

  it("adds stable's p99 for a relative comparison in a weight stage", () => {
    const queries = planCheckQueries(check({ ...latency, compare: 'both' }), 'shift', vars);
    expect(queries.at(-1)).toEqual({
      role: 'stable-value',
      promql: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${STABLE}}[1m])))`,
    });
  });
});

describe('planCheckQueries: custom', () => {
  const custom = { name: 'queue', type: 'custom' as const, query: 'max(queue_depth{namespace="{{ namespace }}"}[{{ interval }}])', minRequests: 0 };

  it('renders the template with escaped variables', () => {
    expect(planCheckQueries(check(custom), 'shift', vars)).toEqual([{ role: 'value', promql: 'max(queue_depth{namespace="shop"}[1m])' }]);
  });

  it('counts canary requests when the check needs a minimum', () => {
    expect(roles('shift', { ...custom, minRequests: 10 })).toEqual(['canary-requests', 'value']);
  });
});

describe('serviceHostPattern', () => {
  const pattern = RE2JS.compile(serviceHostPattern('catalog.shop.svc.cluster.local'));

  it.each(['catalog.shop.svc.cluster.local', 'catalog', 'catalog.shop', 'catalog.shop.svc', 'catalog:8080', 'catalog.shop.svc.cluster.local:80'])(
    'matches the way a client may name the service: %s',
    (host) => {
      expect(pattern.matches(host)).toBe(true);
    },
  );

  it.each(['catalogue', 'catalogXshop', 'catalog.other', 'reviews.shop.svc.cluster.local', 'catalog:http'])('does not match %s', (host) => {
    expect(pattern.matches(host)).toBe(false);
  });

  it('matches only itself for a host outside the cluster domain', () => {
    const external = RE2JS.compile(serviceHostPattern('api.example.com'));
    expect(external.matches('api.example.com')).toBe(true);
    expect(external.matches('apiXexample.com')).toBe(false);
  });
});

describe('planCheckQueries: safety', () => {
  it('rejects a window that is not a PromQL duration', () => {
    expect(() => planCheckQueries(check(), 'shift', { ...vars, interval: '1m]) or vector(1' })).toThrow(InputError);
  });

  it('plans only queries that parse and keep each name in its own string, whatever the names (property)', () => {
    const name = fc.string({ minLength: 1, maxLength: 20 });
    const cohort = fc.constantFrom<Cohort>('dark-launch', 'mirror', 'shift');
    const type = fc.constantFrom('success-rate' as const, 'latency-p99' as const);
    fc.assert(
      fc.property(name, name, name, name, cohort, type, (namespace, canaryWorkload, stableWorkload, service, c, t) => {
        const v = { ...vars, namespace, canaryWorkload, stableWorkload, service };
        for (const q of planCheckQueries(check({ type: t, compare: 'both' }), c, v)) {
          const parsed = parsePromql(q.promql);
          expect(parsed.errors).toBe(0);
          const allowed = [namespace, canaryWorkload, stableWorkload, service].map((x) => x.toWellFormed());
          allowed.push('destination', 'source', CLIENT_SIDE_FAILURE_FLAGS, '5..', serviceHostPattern(service.toWellFormed()));
          for (const literal of parsed.strings) expect(allowed).toContain(JSON.parse(literal));
        }
      }),
      { numRuns: 200 },
    );
  });
});
