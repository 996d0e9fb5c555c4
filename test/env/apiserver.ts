// The Kubernetes API server (k8s.io/apiextensions-apiserver with embedded etcd), built from the Go
// module in ./apiserver into a cache outside the repo and started on loopback ports.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort } from './ports.ts';
import { assertAlive, startDetached, type ProcessRecord } from './process.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

export const apiserverModuleDir = join(import.meta.dirname, 'apiserver');

/** The pinned k8s.io/apiextensions-apiserver version, read from the module's go.mod. */
export function apiserverVersion(): string {
  const goMod = readFileSync(join(apiserverModuleDir, 'go.mod'), 'utf8');
  const match = /^\s*k8s\.io\/apiextensions-apiserver\s+(v\S+)/m.exec(goMod);
  if (match?.[1] === undefined) throw new Error(`${apiserverModuleDir}/go.mod does not require k8s.io/apiextensions-apiserver`);
  return match[1];
}

/** Where built binaries are kept between runs; ISTIO_CANARY_CACHE_DIR overrides it. */
export function cacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache');
  return process.env['ISTIO_CANARY_CACHE_DIR'] ?? join(base, 'istio-canary');
}

/**
 * Path of the binary for the pinned version and the current sources; builds it when missing.
 * The name carries a hash of the sources so that a change to main.go is never hidden by the cache.
 */
export async function ensureApiserverBinary(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const binDir = join(cacheDir(), 'bin');
  const binary = join(binDir, `apiserver-${apiserverVersion()}-${sourceHash()}`);
  if (existsSync(binary)) return binary;
  mkdirSync(binDir, { recursive: true });
  const partial = `${binary}.partial-${process.pid}`;
  try {
    await run('go', ['build', '-trimpath', '-buildvcs=false', '-o', partial, '.'], {
      cwd: apiserverModuleDir,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    rmSync(partial, { force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`go build of the API server failed in ${apiserverModuleDir}:\n${stderr}`);
  }
  renameSync(partial, binary);
  return binary;
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const files = readdirSync(apiserverModuleDir)
    .filter((name) => name.endsWith('.go') || name === 'go.mod' || name === 'go.sum')
    .sort();
  for (const name of files) {
    hash.update(name).update('\0').update(readFileSync(join(apiserverModuleDir, name))).update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

export interface ApiserverPaths {
  dataDir: string;
  logFile: string;
  pidFile: string;
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
