// The egress gate: its query (escaped, parsed by Prometheus' grammar) and its verdict over the
// vector Prometheus returns (blocked and undeclared calls of the canary, stable beside them).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { egressQuery, hostOf, judgeEgress as judgeResults, outboundFindings, type EgressGateSpec } from '../../../src/analysis/checks/egress.ts';
import { splitGrouped } from '../../../src/analysis/grouped.ts';
import { escapeRe2 } from '../../../src/analysis/escape.ts';
import type { Sample } from '../../../src/analysis/metrics-source.ts';
import { InputError } from '../../../src/errors.ts';
import { parsePromql } from './promql-parse.ts';

const vars = { namespace: 'istioinaction', canaryWorkload: 'forum-v2', stableWorkload: 'forum-v1', interval: '1m' };
const spec: EgressGateSpec = { hosts: ['jsonplaceholder.typicode.com', '*.example.com'], policy: 'fail' };

function sample(workload: string, cluster: string, host: string, value: number, code = cluster === 'BlackHoleCluster' ? '502' : '200'): Sample {
  return { labels: { source_workload: workload, destination_service_name: cluster, destination_service: host, response_code: code }, value };
}

describe('the query', () => {
  it('asks for source-side calls of both workloads to BlackHole and Passthrough, by host and code', () => {
    expect(egressQuery(vars).promql).toBe(
      'sum by (source_workload, destination_service_name, destination_service, response_code) (increase(istio_requests_total{reporter="source",source_workload_namespace="istioinaction",source_workload=~"forum-v2|forum-v1",destination_service_name=~"BlackHoleCluster|PassthroughCluster"}[1m]))',
    );
  });

  it('refuses a window that is no PromQL duration', () => {
    expect(() => egressQuery({ ...vars, interval: '1m]) or vector(1' })).toThrow(InputError);
  });

  it('parses and keeps each name in its own string, whatever the names (property)', () => {
    const name = fc.string({ minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(name, name, name, (namespace, canaryWorkload, stableWorkload) => {
        const parsed = parsePromql(egressQuery({ ...vars, namespace, canaryWorkload, stableWorkload }).promql);
        expect(parsed.errors).toBe(0);
        const allowed = ['source', namespace.toWellFormed(), `${escapeRe2(canaryWorkload.toWellFormed())}|${escapeRe2(stableWorkload.toWellFormed())}`, 'BlackHoleCluster|PassthroughCluster'];
        for (const literal of parsed.strings) expect(allowed).toContain(JSON.parse(literal));
      }),
      { numRuns: 200 },
    );
  });
});

describe('the verdict', () => {
  const q = egressQuery(vars);
  const judgeEgress = (samples: Sample[], query: typeof q, s: EgressGateSpec) => {
    const out = judgeResults(splitGrouped(query, samples), s);
    return { ...out, verdict: { status: out.status, reason: out.reason, value: out.value } };
  };

  it('passes with no blocked or undeclared calls; declared hosts through Passthrough (ALLOW_ANY) are fine, wildcards and ports too', () => {
    const samples = [sample('forum-v2', 'PassthroughCluster', 'jsonplaceholder.typicode.com', 12), sample('forum-v2', 'PassthroughCluster', 'api.example.com:8443', 3)];
    const out = judgeEgress(samples, q, spec);
    expect(out.verdict.status).toBe('pass');
    expect(out.verdict.reason).toBe('no blocked or undeclared outbound calls from the canary');
    expect(out.findings).toEqual([]);
  });

  it('fails on calls the mesh blocked, naming the host and the 502, with stable beside it', () => {
    const samples = [sample('forum-v2', 'BlackHoleCluster', 'jsonplaceholder.typicode.com', 8), sample('forum-v1', 'BlackHoleCluster', 'old.dependency.io', 4)];
    const out = judgeEgress(samples, q, spec);
    expect(out.verdict.status).toBe('fail');
    expect(out.verdict.reason).toBe('8 call(s) to "jsonplaceholder.typicode.com" blocked by the mesh (BlackHoleCluster, 502); stable none (new with the canary); stable alone: 4 to "old.dependency.io" (blocked)');
    expect(out.verdict.value).toBe(8);
    expect(splitGrouped(q, samples)).toEqual([
      { role: 'outbound:canary', promql: q.promql, value: 8, series: [samples[0]] },
      { role: 'outbound:stable', promql: q.promql, value: 4, series: [samples[1]] },
    ]);
  });

  it('fails on calls through Passthrough to undeclared hosts; an old dependency is told apart by stable\'s calls', () => {
    const samples = [sample('forum-v2', 'PassthroughCluster', 'evil.example.net', 2), sample('forum-v2', 'PassthroughCluster', 'metrics.vendor.io', 5), sample('forum-v1', 'PassthroughCluster', 'metrics.vendor.io', 50)];
    const out = judgeEgress(samples, q, spec);
    expect(out.verdict.status).toBe('fail');
    expect(out.verdict.reason).toBe(
      '5 call(s) to "metrics.vendor.io" left through PassthroughCluster, not in egress.hosts; stable also 50 (an old dependency); 2 call(s) to "evil.example.net" left through PassthroughCluster, not in egress.hosts; stable none (new with the canary)',
    );
  });

  it('with policy warn it passes, and says what it saw as a warning', () => {
    const out = judgeEgress([sample('forum-v2', 'PassthroughCluster', 'evil.example.net', 2)], q, { ...spec, policy: 'warn' });
    expect(out.verdict.status).toBe('pass');
    expect(out.warning).toBe('2 call(s) to "evil.example.net" left through PassthroughCluster, not in egress.hosts; stable none (new with the canary)');
    expect(out.verdict.reason).toBe(`warning: ${out.warning}`);
  });

  it('a call without a host in telemetry is named as such and never counts as declared', () => {
    const out = judgeEgress([sample('forum-v2', 'PassthroughCluster', 'unknown', 1)], q, { ...spec, hosts: ['*.com'] });
    expect(out.verdict.reason).toBe('1 call(s) to an unnamed destination (telemetry carries no host) left through PassthroughCluster, not in egress.hosts; stable none (new with the canary)');
  });

  it('a host from telemetry is quoted, kept on one line and cut', () => {
    const out = judgeEgress([sample('forum-v2', 'BlackHoleCluster', `evil\n**bold**${'x'.repeat(200)}`, 1)], q, spec);
    expect(out.verdict.reason).not.toContain('\n');
    expect(out.verdict.reason).toMatch(/^1 call\(s\) to "evil\?\*\*bold\*\*x+\.\.\." blocked/);
  });

  it('ignores other workloads and series that are not BlackHole or Passthrough', () => {
    const samples = [sample('webapp', 'BlackHoleCluster', 'a.io', 9), sample('forum-v2', 'jsonplaceholder.typicode.com', 'jsonplaceholder.typicode.com', 9)];
    expect(judgeEgress(samples, q, spec).findings).toEqual([]);
    expect(outboundFindings({ canary: [samples[1]!], stable: [] }, spec)).toEqual([]);
  });

  it.each([
    ['api.example.com:8080', 'api.example.com'],
    ['API.Example.com.', 'api.example.com'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['unknown', 'unknown'],
    ['', 'unknown'],
  ])('host of %s is %s', (value, host) => {
    expect(hostOf(value)).toBe(host);
  });
});
