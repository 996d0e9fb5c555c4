// The Kubernetes API server (k8s.io/apiextensions-apiserver with embedded etcd), built from the Go
// module in ./apiserver into a cache outside the repo and started on loopback ports.

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ensureGoBinary, pinnedVersion } from './go-build.ts';
import { freePort } from './ports.ts';
import { assertAlive, startDetached, type ProcessRecord } from './process.ts';
import { waitFor } from './wait.ts';

export const apiserverModuleDir = join(import.meta.dirname, 'apiserver');

/** The pinned k8s.io/apiextensions-apiserver version, read from the module's go.mod. */
export function apiserverVersion(): string {
  return pinnedVersion(apiserverModuleDir, 'k8s.io/apiextensions-apiserver');
}

/** Path of the binary for the pinned version and the current sources; builds it when missing. */
export function ensureApiserverBinary(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return ensureGoBinary({ moduleDir: apiserverModuleDir, target: '.', name: 'apiserver', version: apiserverVersion() }, env);
}

export interface ApiserverPaths {
  dataDir: string;
  logFile: string;
  pidFile: string;
  /**
   * Audit log of every write to Istio objects (JSON lines, request and stored object), appended
   * across restarts; CI validates what istio-canary wrote with Istio's own code (check-istio-writes.ts).
   */
  istioWritesLog?: string;
}

/** Audit policy: writes to networking.istio.io with the stored object; deletes by name; every other
 * write by a client (a Lease, say) by name only, so bench/writes.ts counts all writes of a release;
 * the API server's own bookkeeping and reads are left out. */
const ISTIO_WRITES_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted, Panic]
rules:
  - level: RequestResponse
    verbs: [create, update, patch]
    resources: [{ group: networking.istio.io }]
  - level: Metadata
    verbs: [delete, deletecollection]
    resources: [{ group: networking.istio.io }]
  - level: None
    users: ['system:apiserver']
  - level: Metadata
    verbs: [create, update, patch, delete, deletecollection]
  - level: None
`;

function auditArgs(paths: ApiserverPaths): string[] {
  if (paths.istioWritesLog === undefined) return [];
  const policy = join(paths.dataDir, 'audit-policy.yaml');
  writeFileSync(policy, ISTIO_WRITES_POLICY);
  mkdirSync(dirname(paths.istioWritesLog), { recursive: true });
  return ['--', `--audit-policy-file=${policy}`, `--audit-log-path=${paths.istioWritesLog}`, '--audit-log-format=json', '--audit-log-mode=blocking'];
}

export interface RunningApiserver {
  record: ProcessRecord;
  url: string;
  kubeconfig: string;
}

/** Starts the API server with a fresh data directory and waits until /readyz answers ok. */
export async function startApiserver(binary: string, paths: ApiserverPaths, timeoutMs: number): Promise<RunningApiserver> {
  rmSync(paths.dataDir, { recursive: true, force: true });
  mkdirSync(paths.dataDir, { recursive: true });
  const [securePort, etcdClientPort, etcdPeerPort] = [await freePort(), await freePort(), await freePort()];
  const url = `https://127.0.0.1:${securePort}`;
  const kubeconfig = join(paths.dataDir, 'admin.kubeconfig');
  const started = startDetached({
    command: binary,
    args: [
      `--data-dir=${paths.dataDir}`,
      `--secure-port=${securePort}`,
      `--etcd-client-port=${etcdClientPort}`,
      `--etcd-peer-port=${etcdPeerPort}`,
      ...auditArgs(paths),
    ],
    logFile: paths.logFile,
    pidFile: paths.pidFile,
    marker: binary,
    facts: { url, kubeconfig },
  });
  await waitFor(
    async () => {
      assertAlive('the API server', started);
      return existsSync(kubeconfig) && (await apiserverReady(kubeconfig));
    },
    { timeoutMs, intervalMs: 200, what: `the API server at ${url} to be ready` },
  );
  return { record: started.record, url, kubeconfig };
}

/**
 * GET /readyz with the client certificate from the kubeconfig. The informer-sync check is left
 * out: it waits for informers of the core kube-apiserver that the --kubeconfig placeholder points
 * at, which does not exist here; the API server's own informers are covered by crd-informer-synced.
 */
export async function apiserverReady(kubeconfigPath: string): Promise<boolean> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) return false;
  const options: { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string } = {};
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve) => {
    const req = request(
      `${server}/readyz?exclude=informer-sync`,
      { ca: options.ca, cert: options.cert, key: options.key, timeout: 2_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
