// kubectl needs API discovery (`/api`, `/apis`) before it applies anything; the local API server
// (apiextensions-apiserver alone) serves neither, only `/apis/<group>`. This shim listens on
// 127.0.0.1 over plain HTTP, answers those two paths itself (no core group; the groups the server
// has, read once from `/apis/<group>`) and forwards every other request unchanged to the real API
// server with the kubeconfig's client certificate. The transition bench sends both kubectl and
// our engine through it, so both pay the same extra hop.
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

const GROUPS = ['networking.istio.io', 'apiextensions.k8s.io'];

export interface DiscoveryShim {
  url: string;
  /** A kubeconfig pointing at the shim. */
  kubeconfig: string;
  close(): Promise<void>;
}

function decode(data: string | undefined): Buffer | undefined {
  return data === undefined ? undefined : Buffer.from(data, 'base64');
}

export async function startDiscoveryShim(kubeconfigPath: string, dir: string): Promise<DiscoveryShim> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster || !user) throw new Error(`${kubeconfigPath}: no current cluster or user`);
  const upstream = new URL(cluster.server);
  const agent = new Agent({ keepAlive: true, ca: decode(cluster.caData), cert: decode(user.certData), key: decode(user.keyData) });

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const headers = { ...req.headers, host: upstream.host };
    const out = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', (e) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`shim: ${e.message}`);
    });
    req.pipe(out);
  };

  const fetchJson = (path: string) =>
    new Promise<unknown>((resolve, reject) => {
      request({ host: upstream.hostname, port: upstream.port, path, agent }, (answer) => {
        let body = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk: string) => (body += chunk));
        answer.on('end', () => (answer.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`GET ${path}: ${answer.statusCode}`))));
      })
        .on('error', reject)
        .end();
    });
  const groups = await Promise.all(GROUPS.map((g) => fetchJson(`/apis/${g}`)));
  const answers: Record<string, unknown> = {
    '/api': { kind: 'APIVersions', versions: [], serverAddressByClientCIDRs: [] },
    '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => ({ ...(g as object), kind: undefined, apiVersion: undefined })) },
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/$/, '');
    const answer = req.method === 'GET' ? answers[path] : undefined;
    if (answer === undefined) return forward(req, res);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const kubeconfig = join(dir, 'shim.kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'shim', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'shim', user: {} }],
      contexts: [{ name: 'shim', context: { cluster: 'shim', user: 'shim' } }],
      'current-context': 'shim',
    }),
  );
  return {
    url,
    kubeconfig,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
