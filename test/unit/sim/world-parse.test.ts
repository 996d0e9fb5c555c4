import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { parseWorldText } from '../../sim/world-parse.ts';

function problem(text: string): string {
  try {
    parseWorldText('world.yaml', text);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected the world to be rejected');
}

describe('world file', () => {
  it('the default world is the demo: catalog v1/v2 in istioinaction, called by webapp', () => {
    const world = parseWorldText('default-world.yaml', readFileSync(new URL('../../sim/default-world.yaml', import.meta.url), 'utf8'));
    const catalog = world.services.find((s) => s.name === 'catalog')!;
    expect(catalog.namespace).toBe('istioinaction');
    expect(catalog.versions.map((v) => [v.name, v.labels.version, v.workload])).toEqual([
      ['v1', 'v1', 'catalog-v1'],
      ['v2', 'v2', 'catalog-v2'],
    ]);
    expect(catalog.load.from).toBe('istioinaction/webapp');
    expect(world.outboundTrafficPolicy).toBe('ALLOW_ANY');
  });

  it('fills defaults: labels, workload names, one ready replica, a 20/80 ms latency', () => {
    const world = parseWorldText('w.yaml', 'services:\n  - namespace: ns\n    name: shop\n    versions:\n      - name: v1\n');
    expect(world.services[0]!.versions[0]).toMatchObject({
      labels: { app: 'shop', version: 'v1' },
      workload: 'shop-v1',
      workloadNamespace: 'ns',
      readyReplicas: 1,
      profile: { errorRatio: 0, errorCode: 500, latency: { medianMs: 20, p99Ms: 80 }, outbound: [] },
    });
    expect(world.services[0]!.ports).toEqual([{ name: 'http', port: 80, targetPort: 80 }]);
    expect(world.services[0]!.load.port).toBe(80);
  });

  it('reads Service ports (name defaults to http-<port>, targetPort to the port) and the ports the load calls', () => {
    const text = 'services:\n  - namespace: ns\n    name: shop\n    versions: []\n    ports: [{ port: 8080, targetPort: 9000 }, { name: admin, port: 9090 }]\n    load: { port: 8080, via: { gateway: ns/gw, host: shop.example.com, port: 8443 } }\n';
    const service = parseWorldText('w.yaml', text).services[0]!;
    expect(service.ports).toEqual([
      { name: 'http-8080', port: 8080, targetPort: 9000 },
      { name: 'admin', port: 9090, targetPort: 9090 },
    ]);
    expect(service.load).toMatchObject({ port: 8080, via: { gateway: 'ns/gw', host: 'shop.example.com', port: 8443 } });
  });

  it.each([
    ['services:\n  - namespace: ns\n    name: a\n    versions:\n      - name: v1\n        readyReplicas: two\n', 'world.yaml:6 services[0].versions[0].readyReplicas: expected a number from 0 to 10000, got "two"'],
    ['services:\n  - namespace: ns\n    name: a\n    versions:\n      - name: v1\n        profile:\n          errorRatio: 1.5\n', 'world.yaml:7 services[0].versions[0].profile.errorRatio: expected a number from 0 to 1, got 1.5'],
    ['outboundTrafficPolicy: DENY\n', 'world.yaml:1 outboundTrafficPolicy: expected ALLOW_ANY or REGISTRY_ONLY, got "DENY"'],
    ['services:\n  - namespace: ns\n    name: a\n    versions: []\n    load:\n      from: webapp\n', 'world.yaml:6 services[0].load.from: expected "namespace/name", got "webapp"'],
    ['services:\n  - namespace: ns\n    name: a\n    versoins: []\n', 'world.yaml:4 services[0].versoins: unknown field; expected one of namespace, name, versions, load'],
    ['services:\n  - namespace: ns\n    name: a\n    versions:\n      - name: v1\n      - name: v1\n', 'world.yaml:6 services[0].versions[1].name: duplicate version "v1"'],
    ['services:\n  - namespace: ns\n    name: a\n    versions: []\n    load:\n      headers:\n        - { name: X-Cohort, value: a, share: 0.5 }\n', 'world.yaml:7 services[0].load.headers[0].name: expected a lowercase header name (RFC 7230 token), got "X-Cohort"'],
    ['services: [\n', 'world.yaml:2: not valid YAML or JSON'],
    ['services:\n  - namespace: ns\n    name: a\n    versions: []\n    ports: []\n', 'world.yaml:5 services[0].ports: expected at least one port'],
    ['services:\n  - namespace: ns\n    name: a\n    versions: []\n    ports:\n      - { name: http, port: 80 }\n      - { name: http, port: 8080 }\n', 'world.yaml:7 services[0].ports[1].name: duplicate port name "http"'],
    ['services:\n  - namespace: ns\n    name: a\n    versions: []\n    ports:\n      - { port: 80 }\n      - { name: web, port: 80 }\n', 'world.yaml:7 services[0].ports[1].port: duplicate port 80'],
    ['services:\n  - namespace: ns\n    name: a\n    versions: []\n    ports:\n      - { port: 70000 }\n', 'world.yaml:6 services[0].ports[0].port: expected a number from 1 to 65535, got 70000'],
    ['services:\n  - namespace: ns\n    name: a\n    versions: []\n    load:\n      via: { gateway: ns/gw, host: a.example.com, port: 0 }\n', 'world.yaml:6 services[0].load.via.port: expected a number from 1 to 65535, got 0'],
  ])('rejects %j', (text, expected) => {
    expect(problem(text)).toContain(expected);
  });
});
