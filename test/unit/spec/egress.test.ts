// spec.egress: what a valid one builds to, and one clear error (file, line, field, what was expected)
// for each kind of bad input.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';

const BASE = [
  'apiVersion: istio-canary/v1',
  'kind: Canary',
  'metadata: {name: forum}',
  'spec:',
  '  namespace: istioinaction',
  '  virtualService: forum',
  '  host: forum',
  '  stable: {labels: {version: v1}}',
  '  canary: {labels: {version: v2}}',
  '  analysis: {prometheus: {url: "http://prometheus:9090"}, checks: [{name: success, type: success-rate, min: 99}]}',
];

function text(egress: string[]): string {
  return `${[...BASE, '  egress:', ...egress.map((l) => `    ${l}`)].join('\n')}\n`;
}

function problems(egress: string[]): string[] {
  try {
    parseCanarySpecs(text(egress), 'canary.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message.split('\n').filter((l) => l.startsWith('canary.yaml:'));
  }
  throw new Error('expected an InputError, the spec was accepted');
}

describe('a valid egress section', () => {
  it('fills port names and the resolution a host calls for; policy defaults to fail', () => {
    const [spec] = parseCanarySpecs(
      text(['hosts:', '  - host: jsonplaceholder.typicode.com', '    ports: [{number: 80, protocol: HTTP}, {number: 443, protocol: TLS, name: tls}]', '  - host: "*.typicode.com"', '    ports: [{number: 443, protocol: TLS}]']),
      'canary.yaml',
    );
    expect(spec!.egress).toEqual({
      hosts: [
        { host: 'jsonplaceholder.typicode.com', ports: [{ number: 80, protocol: 'HTTP', name: 'http-80' }, { number: 443, protocol: 'TLS', name: 'tls' }], resolution: 'DNS' },
        { host: '*.typicode.com', ports: [{ number: 443, protocol: 'TLS', name: 'tls-443' }], resolution: 'NONE' },
      ],
      policy: 'fail',
    });
  });

  it('takes mode and policy as written; no egress section means no egress handling', () => {
    const [spec] = parseCanarySpecs(text(['mode: REGISTRY_ONLY', 'policy: warn']), 'canary.yaml');
    expect(spec!.egress).toEqual({ hosts: [], mode: 'REGISTRY_ONLY', policy: 'warn' });
    const [plain] = parseCanarySpecs(`${BASE.join('\n')}\n`, 'canary.yaml');
    expect(plain!.egress).toBeUndefined();
    expect(plain!.analysis?.checks.map((c) => c.name)).toEqual(['success']);
  });
});

describe('the egress gate', () => {
  it('is added to the checks of every stage, with the declared hosts and the policy', () => {
    const [spec] = parseCanarySpecs(text(['hosts: [{host: api.example.com, ports: [{number: 443, protocol: TLS}]}]', 'policy: warn']), 'canary.yaml');
    expect(spec!.analysis?.checks.at(-1)).toEqual({ name: 'egress', type: 'egress', compare: 'absolute', minRequests: 0, noData: 'pass', failureLimit: 1, hosts: ['api.example.com'], policy: 'warn' });
  });

  it('needs the analysis (Prometheus), refuses a hand-written egress check and the name egress for another', () => {
    const noAnalysis = `${[...BASE.slice(0, -1), '  egress: {hosts: []}'].join('\n')}\n`;
    expect(() => parseCanarySpecs(noAnalysis, 'canary.yaml')).toThrow(/spec\.egress: the egress gate queries Prometheus in every stage: add `spec\.analysis`/);
    const byHand = text(['hosts: []']).replace('checks: [{name: success, type: success-rate, min: 99}]', 'checks: [{name: out, type: egress}]');
    expect(() => parseCanarySpecs(byHand, 'canary.yaml')).toThrow(/spec\.analysis\.checks\[0\]\.type: expected one of `success-rate`, `latency-p99` or `custom`, got "egress"/);
    const named = text(['hosts: []']).replace('{name: success, type: success-rate, min: 99}', '{name: egress, type: success-rate, min: 99}');
    expect(() => parseCanarySpecs(named, 'canary.yaml')).toThrow(/spec\.analysis\.checks\[0\]\.name: the name `egress` is the egress gate's/);
  });
});

describe('bad egress input: one clear error each', () => {
  const host = (h: string, ...extra: string[]) => ['hosts:', `  - host: ${JSON.stringify(h)}`, '    ports: [{number: 80, protocol: HTTP}]', ...extra.map((l) => `    ${l}`)];

  it.each([
    ['a label with an underscore', 'bad_name.example.com', 'domain name "bad_name.example.com" invalid (label "bad_name" invalid)'],
    ['a wildcard in the middle', 'api.*.example.com', 'label "*" invalid'],
    ['an IP address', '203.0.113.7', '`203.0.113.7` is an IP address, not a name'],
    ['an all-numeric top-level domain', 'example.123', 'top level domain "123" cannot be all-numeric'],
    ['an empty host', '', 'empty domain name not allowed'],
    ['the catch-all', '*', 'the host `*` would cover every outside host'],
  ])('a host that is no DNS name or wildcard: %s', (_what, value, message) => {
    const found = problems(host(value));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('canary.yaml:13:15 spec.egress.hosts[0].host: ');
    expect(found[0]).toContain(message);
    expect(found[0]).toContain('expected a DNS name such as `api.example.com` or a wildcard such as `*.example.com`');
  });

  it.each([
    ['a short service name', 'ratings', 'a name without a dot is short for the service `ratings.istioinaction.svc.cluster.local`'],
    ['a cluster-local service', 'ratings.shop.svc.cluster.local', 'it is a Kubernetes service of namespace `shop`'],
    ['a cluster wildcard', '*.svc.cluster.local', 'names ending in `.svc.cluster.local` are the cluster'],
    ['a service.namespace.svc name', 'ratings.shop.svc', 'names ending in `.svc` are the cluster'],
    ['the released host itself, qualified', 'forum.istioinaction.svc.cluster.local', 'it is a Kubernetes service of namespace `istioinaction`'],
  ])('a host inside the mesh: %s', (_what, value, reason) => {
    const found = problems(host(value));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('spec.egress.hosts[0].host: ');
    expect(found[0]).toContain(`is inside the mesh (${reason}`);
    expect(found[0]).toContain('expected a host outside the cluster');
  });

  it('a port without protocol', () => {
    const found = problems(['hosts:', '  - host: api.example.com', '    ports: [{number: 8080}]']);
    expect(found).toEqual([expect.stringContaining('spec.egress.hosts[0].ports[0]: port 8080 has no `protocol`; expected one of `HTTP`, `HTTPS`, `GRPC`, `HTTP2`, `MONGO`, `TCP`, `TLS`')]);
  });

  it('an unknown protocol', () => {
    const found = problems(['hosts:', '  - host: api.example.com', '    ports: [{number: 80, protocol: HTTP3}]']);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('spec.egress.hosts[0].ports[0].protocol: expected one of `HTTP`, `HTTPS`');
  });

  it('a host without ports, and a port out of range', () => {
    expect(problems(['hosts:', '  - host: api.example.com'])).toEqual([expect.stringContaining('spec.egress.hosts[0].ports: missing required field `ports`')]);
    const found = problems(['hosts:', '  - host: api.example.com', '    ports: [{number: 70000, protocol: TCP}]']);
    expect(found).toEqual([expect.stringContaining('spec.egress.hosts[0].ports[0].number: expected a whole number from 1 to 65535')]);
  });

  it('a wildcard host with DNS resolution', () => {
    const found = problems(host('*.example.com', 'resolution: DNS'));
    expect(found).toEqual([expect.stringContaining('spec.egress.hosts[0].resolution: a wildcard host cannot be resolved by DNS')]);
  });

  it('a host declared twice, a port listed twice', () => {
    const found = problems(['hosts:', '  - {host: api.example.com, ports: [{number: 80, protocol: HTTP}, {number: 80, protocol: HTTP}]}', '  - {host: API.example.com, ports: [{number: 443, protocol: TLS}]}']);
    expect(found).toHaveLength(2);
    expect(found[0]).toContain('spec.egress.hosts[0].ports[1].number: port 80 is listed twice (also ports[0])');
    expect(found[1]).toContain('spec.egress.hosts[1].host: `API.example.com` is declared twice (also hosts[0])');
  });

  it('an unknown mode or policy', () => {
    expect(problems(['mode: DENY'])).toEqual([expect.stringContaining('spec.egress.mode: expected one of `ALLOW_ANY` or `REGISTRY_ONLY`')]);
    expect(problems(['policy: ignore'])).toEqual([expect.stringContaining('spec.egress.policy: expected one of `fail` or `warn`')]);
  });
});
