// The holder Lease when the credentials may not touch Leases: on an API server of the test's own
// with a webhook deciding who may do what, a run whose role lacks coordination.k8s.io leases fails
// with one error naming that permission, before any routing write (the VirtualService and
// DestinationRule keep their resourceVersions). The API server itself answers 403.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleLogger } from '../../src/adapters/console-log.ts';
import { runRelease } from '../../src/app/release.ts';
import { ClusterError } from '../../src/errors.ts';
import { loadCanarySpec } from '../../src/spec/load.ts';
import { safeYaml } from '../../src/yaml/safe-yaml.ts';
import { createIstio, getIstio, meshEnv } from '../env/cluster.ts';
import { startAccessWebhook, type AccessWebhook } from './support/access-webhook.ts';
import { startPrivateApiserver, type PrivateApiserver } from './support/private-apiserver.ts';
import { initialDestinationRule, initialVirtualService, specDocument } from './support/release-fixture.ts';

const NS = 'shop';

describe('the holder Lease without the rights to it', () => {
  let dir: string;
  let webhook: AccessWebhook;
  let apiserver: PrivateApiserver;

  /** A kubeconfig file for the private API server that authenticates with `token`. */
  const userKubeconfig = (token: string): string => {
    const cluster = apiserver.kc.getCurrentCluster()!;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'private', server: cluster.server, caData: cluster.caData, skipTLSVerify: false }],
      users: [{ name: 'release', token }],
      contexts: [{ name: 'release', cluster: 'private', user: 'release' }],
      currentContext: 'release',
    });
    const file = join(dir, `${token}.kubeconfig`);
    writeFileSync(file, kc.exportConfig());
    return file;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lease-access-'));
    webhook = await startAccessWebhook(dir, [
      // The README's role for apply mode, but without its Lease rule.
      { token: 'no-lease', name: 'release-without-lease', allows: (r) => r.namespace === NS && r.group !== 'coordination.k8s.io' },
    ]);
    apiserver = await startPrivateApiserver([`--authentication-kubeconfig=${webhook.kubeconfig}`, `--authorization-kubeconfig=${webhook.kubeconfig}`]);
    await createIstio(apiserver.kc, initialDestinationRule(NS));
    await createIstio(apiserver.kc, initialVirtualService(NS));
  }, 300_000);
  afterAll(async () => {
    await apiserver?.dispose();
    await webhook?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run refused the Lease fails with one error naming the permission, and writes no routing', async () => {
    const before = await Promise.all((['VirtualService', 'DestinationRule'] as const).map((kind) => getIstio(apiserver.kc, { kind, namespace: NS, name: 'catalog' })));
    const specFile = join(dir, 'canary.yaml');
    writeFileSync(specFile, safeYaml(specDocument(NS)));
    const logs: string[] = [];
    const failure = await runRelease({
      spec: await loadCanarySpec(specFile),
      command: 'run',
      kubeconfigPath: userKubeconfig('no-lease'),
      prometheusUrl: meshEnv().prometheusUrl,
      log: createConsoleLogger((line) => logs.push(line)),
      reports: [],
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ClusterError);
    expect((failure as Error).message).toMatch(/^Not allowed \S+ .* \(HTTP 403\): .*The credentials need get, create and update on coordination\.k8s\.io leases in that namespace/);
    expect(webhook.reviews.filter((r) => r.request.group === 'coordination.k8s.io')).toContainEqual(expect.objectContaining({ user: 'release-without-lease', allowed: false, request: expect.objectContaining({ resource: 'leases', namespace: NS }) }));
    const after = await Promise.all((['VirtualService', 'DestinationRule'] as const).map((kind) => getIstio(apiserver.kc, { kind, namespace: NS, name: 'catalog' })));
    expect(after.map((o) => o.metadata.resourceVersion)).toEqual(before.map((o) => o.metadata.resourceVersion));
  });
});
