// The spec's `routing: httpRoute` shape: an HTTPRoute and one Service per version. Each kind of
// mistake gets one clear problem naming the line, the field and what was expected; a spec of the
// default routing keeps its exact shape (and spec hash).
import { describe, expect, it } from 'vitest';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import { specHash } from '../../../src/spec/hash.ts';
import { editedSpec, specProblems } from '../../support/spec-text.ts';

const BASE = [
  'apiVersion: istio-canary/v1', //                  1
  'kind: Canary', //                                 2
  'metadata:', //                                    3
  '  name: catalog', //                              4
  'spec:', //                                        5
  '  namespace: shop', //                            6
  '  routing: httpRoute', //                         7
  '  httpRoute: catalog', //                         8
  '  stable: {service: catalog-v1}', //              9
  '  canary: {service: catalog-v2}', //             10
  '  stages:', //                                   11
  '    - darkLaunch: {}', //                        12
  '    - mirror: {percentage: 10}', //              13
  '    - weight: 50', //                            14
];

function spec(edits: Record<number, string | null> = {}, extra: string[] = []): string {
  return editedSpec(BASE, edits, extra);
}

const problems = specProblems;

describe('routing: httpRoute', () => {
  it('builds a spec with the HTTPRoute, a Service per version and workloads named after them', () => {
    const [parsed] = parseCanarySpecs(spec({}, ['  dataPlane: waypoint']), 'canary.yaml');
    expect(parsed).toMatchObject({
      routing: 'httpRoute',
      httpRoute: { name: 'catalog' },
      dataPlane: 'waypoint',
      host: 'catalog-v1',
      stable: { service: 'catalog-v1', workload: 'catalog-v1' },
      canary: { service: 'catalog-v2', workload: 'catalog-v2' },
    });
  });

  it('a spec of the default routing carries no new fields', () => {
    const vs = parseCanarySpecs(
      ['apiVersion: istio-canary/v1', 'kind: Canary', 'metadata: {name: c}', 'spec:', '  namespace: ns', '  virtualService: catalog', '  host: catalog', '  stable: {labels: {version: v1}}', '  canary: {labels: {version: v2}}'].join('\n'),
      'canary.yaml',
    )[0]!;
    expect(Object.keys(vs)).not.toContain('routing');
    expect(Object.keys(vs)).not.toContain('dataPlane');
  });

  it.each([
    ['a missing HTTPRoute name', { 8: null }, 'canary.yaml:6:3 spec.httpRoute: missing required field `httpRoute` (the name of the HTTPRoute to manage, required with routing httpRoute)'],
    ['a version without its Service', { 10: '  canary: {workload: catalog-v2}' }, "canary.yaml:10:11 spec.canary.service: missing required field `service` (the version's Service, required with routing httpRoute)"],
    ['a subset', { 9: '  stable: {service: catalog-v1, subset: v1}' }, 'canary.yaml:9:41 spec.stable.subset: `subset` applies to routing virtualService; with routing httpRoute a version is its Service'],
    ['a VirtualService name', { 8: '  httpRoute: catalog\n  virtualService: catalog' }, 'spec.virtualService: `virtualService` applies to routing virtualService; with routing httpRoute name the HTTPRoute in `httpRoute`'],
    ['the same Service twice', { 10: '  canary: {service: catalog-v1}' }, 'spec.canary.service: stable and canary use the same Service `catalog-v1`; they must differ'],
    ['an unknown routing', { 7: '  routing: httproute' }, 'spec.routing: '],
    ['an unknown data plane', {}, 'spec.dataPlane: ', ['  dataPlane: ambient']],
  ] as Array<[string, Record<number, string | null>, string, string[]?]>)('one clear problem for %s', (_what, edits, expected, extra = []) => {
    const found = problems(spec(edits, extra));
    expect(found.some((line) => line.includes(expected)), found.join('\n')).toBe(true);
  });

  it('routing virtualService refuses a Service per version and an HTTPRoute', () => {
    const found = problems(['apiVersion: istio-canary/v1', 'kind: Canary', 'metadata: {name: c}', 'spec:', '  namespace: ns', '  virtualService: catalog', '  host: catalog', '  httpRoute: catalog', '  stable: {service: catalog-v1}', '  canary: {labels: {version: v2}}'].join('\n'));
    expect(found.sort()).toEqual([
      'canary.yaml:8:14 spec.httpRoute: `httpRoute` needs `routing: httpRoute`; with routing virtualService name the VirtualService in `virtualService`',
      'canary.yaml:9:21 spec.stable.service: `service` applies to routing httpRoute (one Service per version); with routing virtualService a version is the subset its `labels` select',
      "canary.yaml:9:11 spec.stable.labels: missing required field `labels` (the pod labels of the version's subset; or `host`, the version's own Service)",
    ].sort());
  });
});

describe('metrics by data plane', () => {
  const analysis = (query: string) => ['  analysis:', '    checks:', `      - {name: c, type: custom, query: '${query}', max: 1}`];

  it('refuses a query for a reporter the data plane never produces', () => {
    const behindWaypoint = problems(spec({ 13: null }, ['  dataPlane: waypoint', ...analysis('sum(rate(istio_requests_total{reporter="destination"}[{{ interval }}]))')]));
    expect(behindWaypoint).toEqual([
      'canary.yaml:17:40 spec.analysis.checks[0].query: selects reporter="destination", which no proxy reports with dataPlane waypoint (it reports reporter="waypoint"), so the query would see nothing; expected one of those, or reporter="{{ reporter }}"',
    ]);
    const withSidecars = problems(spec({}, analysis('sum(rate(istio_requests_total{reporter="waypoint"}[{{ interval }}]))')));
    expect(withSidecars[0]).toContain('selects reporter="waypoint", which no proxy reports with dataPlane sidecar');
  });

  it('accepts {{ reporter }} and the reporter of the data plane in use', () => {
    expect(parseCanarySpecs(spec({ 13: null }, ['  dataPlane: waypoint', ...analysis('sum(rate(istio_requests_total{reporter="{{ reporter }}"}[{{ interval }}]))')]), 'c.yaml')).toHaveLength(1);
    expect(parseCanarySpecs(spec({}, analysis('sum(rate(istio_requests_total{reporter="source"}[{{ interval }}]))')), 'c.yaml')).toHaveLength(1);
  });

  const mirrorProblem = (checks: string[]) => problems(spec({}, ['  dataPlane: waypoint', '  analysis:', '    checks:', ...checks.map((c) => `      - ${c}`)]));
  const appErrors = "{name: app-errors, type: custom, query: 'sum(rate(http_requests_total{workload=\"{{ canaryWorkload }}\",code=~\"5..\"}[{{ interval }}]))', max: 0.5}";
  const wayOut =
    'judge it by a `custom` check on a metric the canary exports itself, e.g. the request counter of its Prometheus client (`http_requests_total{workload="{{ canaryWorkload }}",code=~"5.."}`), and give the checks on Istio\'s metrics `noData: pass`; or drop the mirror stage, or use dataPlane sidecar';

  it('refuses a mirror stage behind a waypoint where a built-in check would fail for no data, naming it and the way out', () => {
    expect(mirrorProblem(['{name: ok, type: success-rate, min: 99}', appErrors])).toEqual([
      `canary.yaml:13:15 spec.stages[1].mirror: behind a waypoint no proxy reports mirrored requests (the waypoint counts the requests it serves; the canary has no sidecar), so check \`ok\` (success-rate, noData: fail) would see no data of the canary in this stage and fail it; ${wayOut}`,
    ]);
    expect(mirrorProblem(['{name: ok, type: success-rate, min: 99, noData: hold}', '{name: p99, type: latency-p99, max: 500}'])[0]).toContain(
      'so checks `ok` (success-rate, noData: hold), `p99` (latency-p99, noData: fail) would see no data',
    );
  });

  it('refuses a mirror stage behind a waypoint that no check sees: built-in checks that pass on no data, custom ones on Istio\'s metrics', () => {
    const nobody = mirrorProblem(['{name: ok, type: success-rate, min: 99, noData: pass}', "{name: c, type: custom, query: 'sum(rate(istio_requests_total{reporter=\"{{ reporter }}\"}[{{ interval }}]))', max: 1}"]);
    expect(nobody).toEqual([
      `canary.yaml:13:15 spec.stages[1].mirror: behind a waypoint no proxy reports mirrored requests (the waypoint counts the requests it serves; the canary has no sidecar), so no check would see the canary in this stage (each reads Istio's metrics only); ${wayOut}`,
    ]);
  });

  it('says so when the mirror stage comes from the default stages', () => {
    const found = problems(spec({ 11: null, 12: null, 13: null, 14: null }, ['  dataPlane: waypoint', '  analysis:', '    checks:', '      - {name: ok, type: success-rate, min: 99}']));
    expect(found).toEqual([
      `canary.yaml:6:3 spec.stages: the default stages include a mirror stage (dark launch, mirror, 10, 50, 100 %); behind a waypoint no proxy reports mirrored requests (the waypoint counts the requests it serves; the canary has no sidecar), so check \`ok\` (success-rate, noData: fail) would see no data of the canary in this stage and fail it; ${wayOut.replace('drop the mirror stage', 'list `stages` without a mirror stage')}`,
    ]);
  });

  it("accepts a mirror stage behind a waypoint judged by a custom check on the canary's own metric, beside built-in checks that pass on no data", () => {
    for (const checks of [[appErrors], ['{name: ok, type: success-rate, min: 99, noData: pass}', appErrors]]) {
      expect(parseCanarySpecs(spec({}, ['  dataPlane: waypoint', '  analysis:', '    checks:', ...checks.map((c) => `      - ${c}`)]), 'c.yaml')).toHaveLength(1);
    }
    // With sidecars the canary's sidecar reports the shadows: the built-in checks judge the mirror stage.
    expect(parseCanarySpecs(spec({}, ['  analysis:', '    checks:', '      - {name: ok, type: success-rate, min: 99}']), 'c.yaml')).toHaveLength(1);
  });
});

// How long an HTTPRoute write waits for Istio to accept the route: a duration from 1s to 15m, with
// routing httpRoute only. Left out, the spec is as before; set, it does not change the hash either,
// so raising it to retry a rollout under way is not "another version of this spec".
const withTimeout = (value: string) => spec({}, [`  acceptanceTimeout: ${value}`]);
const parsed = (text: string) => parseCanarySpecs(text, 'canary.yaml')[0]!;

describe('spec.acceptanceTimeout', () => {
  it('is read in milliseconds; left out, the spec has no such field', () => {
    expect(parsed(withTimeout('30s')).acceptanceTimeout).toBe(30_000);
    expect(parsed(withTimeout('1m30s')).acceptanceTimeout).toBe(90_000);
    expect(Object.keys(parsed(spec()))).not.toContain('acceptanceTimeout');
  });

  it('does not change the spec hash', () => {
    expect(specHash(parsed(withTimeout('5m')))).toBe(specHash(parsed(spec())));
  });

  it.each([
    ['zero', '"0"', 'canary.yaml:15:22 spec.acceptanceTimeout: expected from 1s to 15m (how long a write waits for Istio to accept the HTTPRoute; default 2m), got 0'],
    ['under a second', '500ms', 'canary.yaml:15:22 spec.acceptanceTimeout: expected from 1s to 15m (how long a write waits for Istio to accept the HTTPRoute; default 2m), got 500ms'],
    ['over the holder timeout', '1h', 'canary.yaml:15:22 spec.acceptanceTimeout: expected from 1s to 15m (how long a write waits for Istio to accept the HTTPRoute; default 2m), got 1h'],
    ['not a duration', '2 minutes', 'canary.yaml:15:22 spec.acceptanceTimeout: '],
    ['a number', '120', 'canary.yaml:15:22 spec.acceptanceTimeout: '],
  ])('one clear problem for %s', (_what, value, expected) => {
    const found = problems(withTimeout(value));
    expect(found, found.join('\n')).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it('is refused with routing virtualService, saying what it needs', () => {
    const found = problems(['apiVersion: istio-canary/v1', 'kind: Canary', 'metadata: {name: c}', 'spec:', '  namespace: ns', '  virtualService: catalog', '  host: catalog', '  acceptanceTimeout: 1m', '  stable: {labels: {version: v1}}', '  canary: {labels: {version: v2}}'].join('\n'));
    expect(found).toEqual([
      'canary.yaml:8:22 spec.acceptanceTimeout: `acceptanceTimeout` needs `routing: httpRoute` (it bounds the wait for Istio to accept the HTTPRoute); a VirtualService write is in effect once stored',
    ]);
  });
});
