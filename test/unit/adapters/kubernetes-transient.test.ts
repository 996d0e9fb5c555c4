// How the Kubernetes adapter behaves when the API server is slow, throttles or fails: a local
// HTTP server plays the API server with scripted answers (the e2e tests use the real one).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubernetesRouting } from '../../../src/adapters/kubernetes.ts';
import type { Logger } from '../../../src/core/ports.ts';
import { ClusterError } from '../../../src/errors.ts';
import { istioRef } from '../../../src/routing/virtual-service/objects.ts';

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server | undefined;
const requests: string[] = [];

async function apiServer(answers: Answer[]): Promise<string> {
  requests.length = 0;
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    answer(req, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function kubeconfig(url: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${url}
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: test-token
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
`;
}

const status = (code: number, message: string): Answer => (_req, res) => {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code }));
};
const object: Answer = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: 'shop', resourceVersion: '7' }, spec: {} }));
};
const hang: Answer = () => {};
const notFound: Answer = (_req, res) => {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', message: 'virtualservices.networking.istio.io "catalog" not found', code: 404 }));
};
// What Go's HTTP mux answers for a path no handler serves (CRDs missing or not installed yet).
const pageNotFound: Answer = (_req, res) => {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('404 page not found\n');
};

function recorder(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => {}, warning: (m) => warnings.push(m), error: () => {} };
}

describe('Kubernetes adapter on a failing API server', () => {
  it('reads a NotFound Status as "no such object", at once', async () => {
    const url = await apiServer([notFound]);
    const vs = await createKubernetesRouting({ kubeconfig: kubeconfig(url), deadlineMs: 10_000 }).get(istioRef('VirtualService', 'shop', 'catalog'));
    expect(vs).toBeUndefined();
    expect(requests).toHaveLength(1);
  });

  it('waits out a bare "404 page not found" (handlers not installed yet) instead of reading it as absent', async () => {
    const url = await apiServer([pageNotFound, pageNotFound, object]);
    const vs = await createKubernetesRouting({ kubeconfig: kubeconfig(url), deadlineMs: 10_000 }).get(istioRef('VirtualService', 'shop', 'catalog'));
    expect(vs?.metadata.resourceVersion).toBe('7');
    expect(requests).toHaveLength(3);
  });

  it('names the missing Istio CRDs when the resource type is never served', async () => {
    const url = await apiServer([pageNotFound]);
    const error = await createKubernetesRouting({ kubeconfig: kubeconfig(url), deadlineMs: 800 }).get(istioRef('VirtualService', 'shop', 'catalog')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as Error).message).toContain("networking.istio.io/v1 is not served (HTTP 404 without a Status): are Istio's CRDs installed?");
  });

  it('retries throttling and server errors, then returns the object', async () => {
    const url = await apiServer([status(429, 'too many requests'), status(503, 'etcd leader changed'), object]);
    const log = recorder();
    const vs = await createKubernetesRouting({ kubeconfig: kubeconfig(url), deadlineMs: 10_000, log }).get(istioRef('VirtualService', 'shop', 'catalog'));
    expect(vs?.metadata.resourceVersion).toBe('7');
    expect(requests).toEqual(Array(3).fill('GET /apis/networking.istio.io/v1/namespaces/shop/virtualservices/catalog'));
    expect(log.warnings).toHaveLength(2);
    expect(log.warnings[0]).toContain(`reading VirtualService shop/catalog on ${url}: attempt 1 failed (HTTP 429: too many requests)`);
  });

  it('gives up on a server that keeps failing, with its last answer', async () => {
    const url = await apiServer([status(503, 'etcd leader changed')]);
    const error = await createKubernetesRouting({ kubeconfig: kubeconfig(url), deadlineMs: 1_000 }).get(istioRef('VirtualService', 'shop', 'catalog')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).message).toMatch(new RegExp(`^Could not reach the Kubernetes API server at ${url} while reading VirtualService shop/catalog \\(\\d+ attempts in 1s\\): HTTP 503: etcd leader changed`));
    expect((error as ClusterError).status).toBe(503);
    expect(requests.length).toBeGreaterThan(1);
  });

  it('abandons a request that never gets an answer when the deadline passes', async () => {
    const url = await apiServer([hang]);
    const error = await createKubernetesRouting({ kubeconfig: kubeconfig(url), deadlineMs: 800 }).get(istioRef('VirtualService', 'shop', 'catalog')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).message).toContain('while reading VirtualService shop/catalog (1 attempt in 1s): the request timed out');
  });

  it('does not retry a refusal, and explains what permissions are needed', async () => {
    const url = await apiServer([status(403, 'virtualservices.networking.istio.io "catalog" is forbidden')]);
    const error = await createKubernetesRouting({ kubeconfig: kubeconfig(url), deadlineMs: 10_000 }).get(istioRef('VirtualService', 'shop', 'catalog')).catch((e: unknown) => e);
    expect((error as ClusterError).message).toBe(
      `Not allowed reading VirtualService shop/catalog on ${url} (HTTP 403): virtualservices.networking.istio.io "catalog" is forbidden. The credentials need get, create and update on networking.istio.io virtualservices in that namespace.`,
    );
    expect(requests).toHaveLength(1);
  });

  it('sends writes with the field manager and without managedFields', async () => {
    let body = '';
    const url = await apiServer([
      (req, res) => {
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => object(req, res));
      },
    ]);
    await createKubernetesRouting({ kubeconfig: kubeconfig(url) }).write({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'catalog', namespace: 'shop', resourceVersion: '6', managedFields: [{ manager: 'kubectl' }] },
      spec: {},
    });
    expect(requests).toEqual(['PUT /apis/networking.istio.io/v1/namespaces/shop/virtualservices/catalog?fieldManager=istio-canary']);
    expect(JSON.parse(body).metadata).toEqual({ name: 'catalog', namespace: 'shop', resourceVersion: '6' });
  });
});
