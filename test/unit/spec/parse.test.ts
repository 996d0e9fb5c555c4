import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';

const example = readFileSync(new URL('./fixtures/catalog.canary.yaml', import.meta.url), 'utf8');

const minimal = (name = 'catalog', extra = '') => `apiVersion: istio-canary/v1
kind: Canary
metadata: {name: ${name}}
spec:
  namespace: istioinaction
  virtualService: catalog-vs-from-gw
  host: catalog.istioinaction.svc.cluster.local
  stable: {labels: {version: v1}}
  canary: {labels: {version: v2}}
${extra}`;

describe('parseCanarySpecs: the issue example', () => {
  const [spec] = parseCanarySpecs(example, 'catalog.canary.yaml');

  it('reads identity and targets', () => {
    expect(spec!.name).toBe('catalog');
    expect(spec!.namespace).toBe('istioinaction');
    expect(spec!.virtualService).toBe('catalog');
    expect(spec!.route).toBe('primary');
    expect(spec!.destinationRule).toBe('catalog');
    expect(spec!.host).toBe('catalog');
    expect(spec!.source).toEqual({ file: 'catalog.canary.yaml', document: 1 });
  });

  it('reads versions and derives workloads from host and version', () => {
    expect(spec!.stable).toEqual({ subset: 'version-v1', labels: { version: 'v1' }, workload: 'catalog-v1', version: 'v1' });
    expect(spec!.canary).toEqual({ subset: 'version-v2', labels: { version: 'v2' }, workload: 'catalog-v2', version: 'v2' });
  });

  it('reads stages with per-stage bake and pause', () => {
    expect(spec!.stages).toEqual([
      { kind: 'darkLaunch', headers: { 'x-istio-cohort': { exact: 'internal' } }, keep: true, bake: 300_000, pause: false },
      { kind: 'mirror', percentage: 100, bake: 300_000, pause: false },
      { kind: 'weight', weight: 10, bake: 300_000, pause: false },
      { kind: 'weight', weight: 50, bake: 600_000, pause: true },
      { kind: 'weight', weight: 100, bake: 300_000, pause: false },
    ]);
    expect(spec!.bake).toBe(300_000);
    expect(spec!.settle).toBe(5_000);
  });

  it('reads analysis with check defaults filled', () => {
    const analysis = spec!.analysis!;
    expect(analysis.interval).toBe(30_000);
    expect(analysis.prometheus).toEqual({ url: 'http://prometheus.istio-system:9090', headers: { 'X-Scope-OrgID': 'mesh' }, bearerTokenEnv: 'PROM_TOKEN' });
    expect(analysis.failureLimit).toBe(2);
    expect(analysis.alpha).toBe(0.05);
    expect(analysis.maxHold).toBeUndefined();
    expect(analysis.checks).toEqual([
      { name: 'success', type: 'success-rate', min: 99, compare: 'both', minRequests: 20, noData: 'fail', failureLimit: 2 },
      { name: 'latency', type: 'latency-p99', max: 500, compare: 'absolute', minRequests: 20, noData: 'fail', failureLimit: 2 },
      {
        name: 'queue-depth', type: 'custom', max: 10, compare: 'absolute', minRequests: 0, noData: 'hold', failureLimit: 2,
        query: 'max(queue_depth{namespace="{{ namespace }}", workload="{{ canaryWorkload }}"}[{{ interval }}])',
      },
    ]);
  });
});

describe('parseCanarySpecs: defaults', () => {
  const [spec] = parseCanarySpecs(minimal());

  it('uses the five default stages with the default bake', () => {
    expect(spec!.stages.map((s) => s.kind)).toEqual(['darkLaunch', 'mirror', 'weight', 'weight', 'weight']);
    expect(spec!.stages[0]).toEqual({ kind: 'darkLaunch', headers: { 'x-istio-cohort': { exact: 'internal' } }, keep: true, bake: 300_000, pause: false });
    expect(spec!.stages[1]).toEqual({ kind: 'mirror', percentage: 100, bake: 300_000, pause: false });
    expect(spec!.stages.slice(2).map((s) => (s.kind === 'weight' ? s.weight : undefined))).toEqual([10, 50, 100]);
    expect(spec!.bake).toBe(300_000);
    expect(spec!.settle).toBe(5_000);
  });

  it('derives subsets, workloads and the DestinationRule name from the short host', () => {
    expect(spec!.stable.subset).toBe('version-v1');
    expect(spec!.canary.subset).toBe('version-v2');
    expect(spec!.canary.workload).toBe('catalog-v2');
    expect(spec!.destinationRule).toBe('catalog');
    expect(spec!.route).toBeUndefined();
    expect(spec!.analysis).toBeUndefined();
  });

  it('fills darkLaunch and mirror defaults when written empty', () => {
    const [s] = parseCanarySpecs(minimal('c', '  stages:\n    - darkLaunch:\n    - mirror: {}\n    - weight: 30\n'));
    expect(s!.stages[0]).toMatchObject({ kind: 'darkLaunch', headers: { 'x-istio-cohort': { exact: 'internal' } }, keep: true });
    expect(s!.stages[1]).toMatchObject({ kind: 'mirror', percentage: 100 });
  });

  it('fills analysis defaults and maxRatio for relative latency', () => {
    const [s] = parseCanarySpecs(minimal('c', '  analysis:\n    checks:\n      - {name: p99, type: latency-p99, compare: relative}\n'));
    expect(s!.analysis).toEqual({
      interval: 60_000, prometheus: { headers: {} }, failureLimit: 1, alpha: 0.05,
      checks: [{ name: 'p99', type: 'latency-p99', compare: 'relative', maxRatio: 1.5, minRequests: 20, noData: 'fail', failureLimit: 1 }],
    });
  });

  it('requires no version label when subset and workload are given', () => {
    const text = minimal('c').replace('{labels: {version: v1}}', '{subset: blue, labels: {track: blue}, workload: catalog-blue}')
      .replace('{labels: {version: v2}}', '{subset: green, labels: {track: green}, workload: catalog-green}');
    const [s] = parseCanarySpecs(text);
    expect(s!.stable).toEqual({ subset: 'blue', labels: { track: 'blue' }, workload: 'catalog-blue' });
  });
});

describe('parseCanarySpecs: several documents', () => {
  it('returns every spec in file order, with its document number', () => {
    const text = `${minimal('catalog')}---\n${minimal('reviews').replace(/catalog/g, 'reviews')}`;
    const specs = parseCanarySpecs(text, 'all.yaml');
    expect(specs.map((s) => [s.name, s.host, s.source.document])).toEqual([
      ['catalog', 'catalog.istioinaction.svc.cluster.local', 1],
      ['reviews', 'reviews.istioinaction.svc.cluster.local', 2],
    ]);
  });

  it('skips empty documents', () => {
    expect(parseCanarySpecs(`---\n${minimal()}---\n`).map((s) => s.name)).toEqual(['catalog']);
  });

  it('reports problems of every document in one error', () => {
    const text = `${minimal('a').replace('v2}}', 'v2}}\n  bake: soon')}---\n${minimal('b').replace('host:', 'hots:')}`;
    expect(() => parseCanarySpecs(text, 'all.yaml')).toThrow(/all\.yaml:10:9 spec\.bake: .*"soon"[\s\S]*all\.yaml:18:3 spec\.hots: unknown field/);
  });
});

describe('parseCanarySpecs: analysis.strict', () => {
  const analysis = (strict: string) => `  analysis:
    prometheus: {url: http://prometheus:9090}
${strict}    checks:
      - {name: success, type: success-rate, min: 99}
`;

  it('is off unless asked for, and on with strict: true', () => {
    expect(parseCanarySpecs(minimal('catalog', analysis('')), 'c.yaml')[0]!.analysis!.strict).toBeUndefined();
    expect(parseCanarySpecs(minimal('catalog', analysis('    strict: true\n')), 'c.yaml')[0]!.analysis!.strict).toBe(true);
  });

  it('refuses a strict that is not a boolean, naming the field', () => {
    expect(() => parseCanarySpecs(minimal('catalog', analysis('    strict: yes please\n')), 'c.yaml')).toThrow(/spec\.analysis\.strict/);
  });
});
