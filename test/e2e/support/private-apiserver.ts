// An API server of the test's own (same binary as the mesh's, its own data directory and ports), for
// tests that stop and restart it: a restart keeps the etcd data, the certificates and the ports, so
// clients with the same kubeconfig find the same objects again. The shared mesh's server is never touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { apiserverReady, ensureApiserverBinary } from '../../env/apiserver.ts';
import { loadGatewayApiCrds } from '../../env/gateway-api-crds.ts';
import { loadIstioCrds } from '../../env/istio-crds.ts';
import { applyCrds } from '../../env/module-crds.ts';
import { LEASE_CRD } from '../../env/lease-crd.ts';
import { freePort } from '../../env/ports.ts';
import { waitFor } from '../../env/wait.ts';

export interface PrivateApiserver {
  kubeconfig: string;
  kc: KubeConfig;
  /** Stops the process (SIGKILL: a crash, nothing flushed on the way out) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and ports; resolves once it is ready. */
  restart(): Promise<void>;
  /** Stops it for good and removes its data. */
  dispose(): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;

/** A client of `apiserver` as the user a bearer token stands for (its rights: the access webhook's). */
export function tokenKubeConfig(apiserver: Pick<PrivateApiserver, 'kc'>, token: string): KubeConfig {
  const kc = new KubeConfig();
  const cluster = apiserver.kc.getCurrentCluster()!;
  kc.loadFromOptions({
    clusters: [{ name: 'private', server: cluster.server, caData: cluster.caData, skipTLSVerify: false }],
    users: [{ name: 'limited', token }],
    contexts: [{ name: 'limited', cluster: 'private', user: 'limited' }],
    currentContext: 'limited',
  });
  return kc;
}

/** `apiserverArgs` go to the Kubernetes API server itself (after `--`), e.g. another authorization kubeconfig. */
export async function startPrivateApiserver(apiserverArgs: string[] = []): Promise<PrivateApiserver> {
  const binary = await ensureApiserverBinary();
  const dataDir = mkdtempSync(join(tmpdir(), 'istio-canary-apiserver-'));
  const args = [
    `--data-dir=${dataDir}`,
    `--secure-port=${await freePort()}`,
    `--etcd-client-port=${await freePort()}`,
    `--etcd-peer-port=${await freePort()}`,
    ...(apiserverArgs.length > 0 ? ['--', ...apiserverArgs] : []),
  ];
  const kubeconfig = join(dataDir, 'admin.kubeconfig');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const log = openSync(join(dataDir, 'apiserver.log'), 'a');
    try {
      const started = spawn(binary, args, { stdio: ['ignore', log, log] });
      child = started;
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
    } finally {
      closeSync(log);
    }
    await waitFor(async () => existsSync(kubeconfig) && (await apiserverReady(kubeconfig)), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 200,
      what: `the private API server in ${dataDir} to be ready`,
    });
  };
  const kill = async () => {
    child?.kill('SIGKILL');
    await exited;
    child = undefined;
  };

  await start();
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  await applyCrds(kc, [...(await loadIstioCrds()), ...(await loadGatewayApiCrds()), LEASE_CRD], READY_TIMEOUT_MS);
  const dispose = async () => {
    await kill();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { kubeconfig, kc, kill, restart: start, dispose };
}
