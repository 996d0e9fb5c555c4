import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RE2JS } from 're2js';
import { escapeRe2 } from '../../../src/analysis/escape.ts';
import { planCheckQueries } from '../../../src/analysis/checks/registry.ts';
import { CLIENT_SIDE_FAILURE_FLAGS, serviceHostPattern } from '../../../src/analysis/queries.ts';
import type { Cohort } from '../../../src/analysis/types.ts';
import { InputError } from '../../../src/errors.ts';
import { check, vars } from './fixtures.ts';
import { parsePromql } from './promql-parse.ts';

const CANARY = 'reporter="destination",destination_workload_namespace="shop",destination_workload=~"catalog-v2"';
const roles = (cohort: Cohort, overrides: Parameters<typeof check>[0]) => planCheckQueries(check(overrides), cohort, vars).map((q) => q.role);
const BOTH = 'reporter="destination",destination_workload_namespace="shop",destination_workload=~"catalog-v2|catalog-v1"';

const CLIENT_FAILURES =
  'label_replace(sum(increase(istio_requests_total{reporter="source",' +
  'destination_service=~"(catalog\\\\.shop\\\\.svc\\\\.cluster\\\\.local|catalog|catalog\\\\.shop|catalog\\\\.shop\\\\.svc)(:[0-9]+)?",' +
  'response_flags=~"(.*,)?(UH|NC|UF)(,.*)?"}[1m])), "destination_workload", ":client-failures", "", "")';

describe('planCheckQueries: success-rate (one grouped query per evaluation)', () => {
  it('counts canary requests and 5xx from the destination side, and unreachable-canary failures from the source side, in one vector', () => {
    expect(planCheckQueries(check(), 'shift', vars)).toEqual([
      {
        role: 'traffic',
        promql: `sum by (destination_workload, response_code) (increase(istio_requests_total{${CANARY}}[1m])) or ${CLIENT_FAILURES}`,
        grouped: { kind: 'traffic', canary: 'catalog-v2' },
      },
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
    expect(queries).toHaveLength(1);
    expect(queries[0]?.promql).toContain('reporter="destination"');
    expect(queries[0]?.promql).not.toContain('reporter="source"');
  });

  it('counts client-side failures in the dark launch too (only the header cohort reaches the canary there)', () => {
    expect(planCheckQueries(check(), 'dark-launch', vars)[0]?.promql).toContain(':client-failures');
  });

  it('adds stable to the same query for relative comparisons in weight stages only', () => {
    const [both] = planCheckQueries(check({ compare: 'relative' }), 'shift', vars);
    expect(both?.grouped).toEqual({ kind: 'traffic', canary: 'catalog-v2', stable: 'catalog-v1' });
    expect(both?.promql).toContain(`${BOTH}`);
    expect(planCheckQueries(check({ compare: 'relative' }), 'dark-launch', vars)[0]?.grouped?.stable).toBeUndefined();
  });
});

describe('planCheckQueries: latency-p99 (one grouped query of histogram buckets)', () => {
  const latency = { name: 'latency', type: 'latency-p99' as const, max: 500, min: undefined };

  it('fetches the canary histogram by bucket: its requests, the share over the limit, and p99', () => {
    expect(planCheckQueries(check(latency), 'mirror', vars)).toEqual([
      {
        role: 'latency',
        promql: `sum by (destination_workload, le) (increase(istio_request_duration_milliseconds_bucket{${CANARY}}[1m]))`,
        grouped: { kind: 'latency', canary: 'catalog-v2' },
      },
    ]);
  });

  it("adds stable's histogram for a relative comparison in a weight stage", () => {
    const [query] = planCheckQueries(check({ ...latency, compare: 'both' }), 'shift', vars);
    expect(query?.promql).toBe(`sum by (destination_workload, le) (increase(istio_request_duration_milliseconds_bucket{${BOTH}}[1m]))`);
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

describe('planCheckQueries: one Service per version (each version selected by its Service, from the client side)', () => {
  // Argo Rollouts' layout: both Services select pods of one workload, so the workload cannot tell them apart.
  const perService = { ...vars, canaryWorkload: 'catalog', stableWorkload: 'catalog', services: { canary: 'catalog-canary.shop.svc.cluster.local', stable: 'catalog-stable.shop.svc.cluster.local' }, service: 'catalog-stable.shop.svc.cluster.local' };
  const BOTH_SERVICES = 'reporter="source",destination_service=~"catalog-canary\\\\.shop\\\\.svc\\\\.cluster\\\\.local|catalog-stable\\\\.shop\\\\.svc\\\\.cluster\\\\.local"';
  const CLIENT_FAILURES_RELEASED_HOST =
    'label_replace(sum(increase(istio_requests_total{reporter="source",' +
    'destination_service=~"(catalog-stable\\\\.shop\\\\.svc\\\\.cluster\\\\.local|catalog-stable|catalog-stable\\\\.shop|catalog-stable\\\\.shop\\\\.svc)(:[0-9]+)?",' +
    'response_flags=~"(.*,)?(UH|NC|UF)(,.*)?"}[1m])), "destination_service", ":client-failures", "", "")';

  it('groups the client side\'s requests by destination_service (the cluster the route chose); failures towards the canary Service are in its series, those for the released host counted besides', () => {
    expect(planCheckQueries(check({ compare: 'relative' }), 'shift', perService)).toEqual([
      {
        role: 'traffic',
        promql: `sum by (destination_service, response_code) (increase(istio_requests_total{${BOTH_SERVICES}}[1m])) or ${CLIENT_FAILURES_RELEASED_HOST}`,
        grouped: { kind: 'traffic', canary: 'catalog-canary.shop.svc.cluster.local', stable: 'catalog-stable.shop.svc.cluster.local', label: 'destination_service' },
      },
    ]);
  });

  it('selects latency buckets by Service in the dark launch, and by workload in the mirror stage (shadow requests have no client report)', () => {
    const latency = { name: 'latency', type: 'latency-p99' as const, max: 500, min: undefined };
    expect(planCheckQueries(check(latency), 'dark-launch', perService)[0]?.promql).toBe(
      'sum by (destination_service, le) (increase(istio_request_duration_milliseconds_bucket{reporter="source",destination_service=~"catalog-canary\\\\.shop\\\\.svc\\\\.cluster\\\\.local"}[1m]))',
    );
    expect(planCheckQueries(check(latency), 'mirror', { ...perService, canaryWorkload: 'catalog-canary' })).toEqual([
      {
        role: 'latency',
        promql: 'sum by (destination_workload, le) (increase(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="shop",destination_workload=~"catalog-canary"}[1m]))',
        grouped: { kind: 'latency', canary: 'catalog-canary' },
      },
    ]);
  });

  it("counts a custom check's canary requests by the canary Service", () => {
    const custom = { name: 'queue', type: 'custom' as const, query: 'vector(1)', minRequests: 10 };
    expect(planCheckQueries(check(custom), 'shift', perService)[0]?.promql).toBe(
      'sum(increase(istio_requests_total{reporter="source",destination_service="catalog-canary.shop.svc.cluster.local"}[1m]))',
    );
  });

  it('leaves the subset form unchanged: by workload in its namespace', () => {
    expect(planCheckQueries(check({ compare: 'relative' }), 'shift', vars)[0]?.grouped).toEqual({ kind: 'traffic', canary: 'catalog-v2', stable: 'catalog-v1' });
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
      fc.property(name, name, name, name, cohort, type, fc.boolean(), (namespace, canaryWorkload, stableWorkload, service, c, t, perService) => {
        // With one Service per version the "workloads" are the Services' names.
        const v = { ...vars, namespace, canaryWorkload, stableWorkload, service, ...(perService ? { services: { canary: canaryWorkload, stable: stableWorkload } } : {}) };
        for (const q of planCheckQueries(check({ type: t, compare: 'both' }), c, v)) {
          const parsed = parsePromql(q.promql);
          expect(parsed.errors).toBe(0);
          const allowed = [namespace, service].map((x) => x.toWellFormed());
          const workloads = [canaryWorkload, stableWorkload].map((x) => escapeRe2(x.toWellFormed()));
          allowed.push(workloads[0]!, workloads.join('|'), 'destination', 'source', CLIENT_SIDE_FAILURE_FLAGS, serviceHostPattern(service.toWellFormed()));
          allowed.push('destination_workload', 'destination_service', ':client-failures', '');
          for (const literal of parsed.strings) expect(allowed).toContain(JSON.parse(literal));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('planCheckQueries behind an ambient waypoint', () => {
  it('reads served requests and local replies from reporter="waypoint", never from source or destination', () => {
    const waypoint = { ...vars, reporter: 'waypoint' as const, clientReporter: 'waypoint' as const };
    const [traffic] = planCheckQueries(check({ compare: 'both' }), 'shift', waypoint);
    expect(traffic!.promql).toContain('istio_requests_total{reporter="waypoint",destination_workload_namespace="shop",destination_workload=~"catalog-v2|catalog-v1"}');
    expect(traffic!.promql).toContain('istio_requests_total{reporter="waypoint",destination_service=~');
    expect(traffic!.promql).not.toMatch(/reporter="(source|destination)"/);
    const [latency] = planCheckQueries(check({ type: 'latency-p99', max: 100, min: undefined }), 'dark-launch', waypoint);
    expect(latency!.promql).toContain('reporter="waypoint"');
  });
});
