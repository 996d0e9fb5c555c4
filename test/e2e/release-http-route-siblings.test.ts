// HTTPRoutes of other namespaces in apply mode, through the CLI on the real API server:
// - a GAMMA consumer route in another namespace on our Service: the release goes on and is
//   promoted, the log says once that that namespace's clients never reach the canary, each
//   dark-launch stage logs who the cohort reaches and why, and the consumer route is never written;
// - a route of another namespace on the same Gateway, ranking between the dark-launch match and the
//   owned match: refused before any write, naming that route;
// - credentials that may list HTTPRoutes only in the release's namespace (an API server of its own,
//   access decided by a webhook): `status` gets the API server's 403 on the cluster-wide list and
//   says in one warning what was not checked, no stack trace.
import { writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { safeYaml } from '../../src/yaml/safe-yaml.ts';
import { applyGatewayApi, getGatewayApi, uniqueNamespace, type GatewayApiObject } from '../env/cluster.ts';
import { accessControlledApiserver } from './support/access-webhook.ts';
import { initialRoute, newRouteRelease, readRoute, routeReleases, routeSpecDocument, routeState } from './support/http-route-release.ts';
import { tokenKubeConfig } from './support/private-apiserver.ts';
import { runCli } from './support/release-fixture.ts';

const CLI = resolve(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const track = routeReleases();

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe.concurrent('HTTPRoutes of other namespaces (apply mode)', () => {
  it('a consumer route of another namespace: promoted, with one warning that its clients never reach the canary', async () => {
    const release = await track(newRouteRelease('hr-consumer', 'sidecar', { stages: [{ darkLaunch: {} }, { weight: 50 }] }));
    const web = uniqueNamespace('hr-consumer-web');
    const consumer = await applyGatewayApi(
      release.kc,
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'catalog-web', namespace: web },
        spec: { parentRefs: [{ group: '', kind: 'Service', name: 'catalog', namespace: release.ns, port: 80 }], rules: [{ backendRefs: [{ name: 'catalog-v1', namespace: release.ns, port: 80 }] }] },
      } as unknown as GatewayApiObject,
      { fieldManager: 'team-web' },
    );
    const result = await runCli(release, 'run');
    expect(result.stderr).not.toMatch(/rolling back/);
    expect(result.code, result.stderr).toBe(0);
    expect(routeState(await readRoute(release))?.status).toBe('promoted');
    const warning = `warning: catalog: on Service ${release.ns}/catalog, clients in namespace ${web} follow HTTPRoute ${web}/catalog-web (a consumer route, which Istio uses instead of this one for clients of that namespace)`;
    expect(occurrences(result.stderr, warning)).toBe(1);
    expect(result.stderr).toContain(`catalog: stage 00-dark-launch: on Service ${release.ns}/catalog (3 matches of 1 HTTPRoute, Gateway API precedence): the dark-launch match ranks #2, directly above the owned match #3 (PathPrefix /) it copies, nothing between them.`);
    // Read, never written: its spec and generation are as the team left them (only the controller's status changes).
    const after = await getGatewayApi(release.kc, 'HTTPRoute', web, 'catalog-web');
    expect(after.metadata.generation).toBe(consumer.metadata.generation);
    expect(after.spec).toEqual(consumer.spec);
  });

  it('a route of another namespace on the same Gateway ranking between: refused before any write, naming it', async () => {
    const release = await track(newRouteRelease('hr-gw-cross', 'sidecar', {}, { createRoute: false }));
    const team = uniqueNamespace('hr-gw-team');
    // The simulated mesh's ingress Gateway (a Gateway Istio's controller does not know is not attached to).
    const parentRefs = [{ name: 'catalog-gateway', namespace: 'istioinaction' }];
    const ours = initialRoute(release.ns);
    await applyGatewayApi(release.kc, { ...ours, spec: { ...ours.spec, parentRefs } } as unknown as GatewayApiObject, { fieldManager: 'test-setup' });
    const before = await readRoute(release);
    await applyGatewayApi(
      release.kc,
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'tenant-gold', namespace: team },
        spec: { parentRefs, rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-tenant', value: 'gold' }] }], backendRefs: [{ name: 'tenant-gold', port: 80 }] }] },
      } as unknown as GatewayApiObject,
      { fieldManager: 'team-gold' },
    );
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`HTTPRoute ${team}/tenant-gold spec.rules[0].matches[0] ranks between the dark-launch match and the owned match`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // Nothing written: the same generation and spec, no rollout state (the controller's status may change).
    const after = await readRoute(release);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec).toEqual(before.spec);
    expect(routeState(after)).toBeUndefined();
  });
});

describe('credentials that may not list HTTPRoutes in other namespaces (API server of its own, access by webhook)', () => {
  const ns = 'shop';
  // A Role in the release's namespace, as the README's: HTTPRoutes and Leases there, nothing cluster-wide.
  const access = accessControlledApiserver('hr-siblings-access-', [
    {
      token: 'namespace-role',
      name: 'shop-release',
      allows: (r) => r.namespace === ns && ((r.resource === 'httproutes' && ['get', 'list', 'update'].includes(r.verb)) || (r.resource === 'leases' && ['get', 'create', 'update'].includes(r.verb))),
    },
  ]);

  it('status: one warning naming what was not checked, and the answer', async () => {
    const { apiserver, webhook, dir } = access;
    await applyGatewayApi(apiserver.kc, initialRoute(ns) as unknown as GatewayApiObject, { fieldManager: 'test-setup' });
    const specFile = join(dir, 'canary.yaml');
    writeFileSync(specFile, safeYaml(routeSpecDocument(ns, 'sidecar', {})));
    const kubeconfig = join(dir, 'limited.kubeconfig');
    writeFileSync(kubeconfig, tokenKubeConfig(apiserver, 'namespace-role').exportConfig());
    const child = spawn(process.execPath, [CLI, 'status', '--spec', specFile, '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code, stderr).toBe(0);
    const warning = `warning: catalog: HTTPRoutes in namespaces other than ${ns} on Service ${ns}/catalog (routes attached to a Gateway from other namespaces, and GAMMA consumer routes whose clients would not follow this one) were not checked: listing HTTPRoutes in all namespaces was refused (it needs list on httproutes.gateway.networking.k8s.io cluster-wide, a ClusterRole)`;
    expect(occurrences(stderr, warning)).toBe(1);
    // The other warning: the health rule, which the release does not shift, stays on stable.
    expect(stderr.split('\n').filter((l) => l.includes('warning:') && !l.includes("spec.rules[0] (health) also sends to the stable Service 'catalog-v1'"))).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).not.toBe('');
    // The API server itself refused the cluster-wide list: the webhook was asked and said no.
    expect(webhook.reviews.some((r) => r.request.resource === 'httproutes' && r.request.verb === 'list' && r.request.namespace === '' && !r.allowed)).toBe(true);
  });
});
