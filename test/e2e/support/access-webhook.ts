// Who may do what, for an API server of a test's own: the Kubernetes API server's delegated
// authentication (TokenReview) and authorization (SubjectAccessReview) pointed at this local
// webhook, so a bearer token stands for a user with exactly the rights the test grants — like an
// RBAC-limited service account on a cluster. The API server itself makes every decision it makes
// on a cluster (authenticate, ask, answer 403 with the reason); only the policy is the test's.
// Client certificates in system:masters (the admin kubeconfig) never reach the webhook.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startPrivateApiserver, type PrivateApiserver } from './private-apiserver.ts';

/** A request the API server asks about (SubjectAccessReview spec.resourceAttributes). */
export interface ResourceRequest {
  verb: string;
  group: string;
  resource: string;
  namespace: string;
  name: string;
}

export interface WebhookUser {
  token: string;
  name: string;
  /** Whether the user may do this. */
  allows: (request: ResourceRequest) => boolean;
}

export interface AccessWebhook {
  /** kubeconfig for the API server's --authentication-kubeconfig and --authorization-kubeconfig. */
  kubeconfig: string;
  /** Every review the API server sent, in order. */
  reviews: Array<{ user: string; request: ResourceRequest; allowed: boolean }>;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Record<string, any>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function startAccessWebhook(dir: string, users: WebhookUser[]): Promise<AccessWebhook> {
  const reviews: AccessWebhook['reviews'] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const review = await body(req);
      const answer = (status: Record<string, unknown>) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: review.kind, status }));
      };
      if (review.kind === 'TokenReview') {
        const user = users.find((u) => u.token === review.spec?.token);
        answer(user ? { authenticated: true, user: { username: user.name, groups: ['system:authenticated'] } } : { authenticated: false });
        return;
      }
      if (review.kind === 'SubjectAccessReview') {
        const a = review.spec?.resourceAttributes ?? {};
        const request: ResourceRequest = { verb: a.verb ?? '', group: a.group ?? '', resource: a.resource ?? '', namespace: a.namespace ?? '', name: a.name ?? '' };
        const user = users.find((u) => u.name === review.spec?.user);
        const allowed = user !== undefined && review.spec?.resourceAttributes !== undefined && user.allows(request);
        reviews.push({ user: String(review.spec?.user), request, allowed });
        answer(allowed ? { allowed: true } : { allowed: false, reason: `the test grants ${String(review.spec?.user)} no ${request.verb} on ${request.resource || 'this path'}` });
        return;
      }
      res.writeHead(400).end();
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const kubeconfig = join(dir, 'access-webhook.kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'webhook', cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: 'apiserver', user: {} }],
      contexts: [{ name: 'webhook', context: { cluster: 'webhook', user: 'apiserver' } }],
      'current-context': 'webhook',
    }),
  );
  return { kubeconfig, reviews, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** For a describe block: an API server of its own whose access is decided by the webhook for `users`,
 * started before its tests and removed after them. Read the handles inside the tests. */
export function accessControlledApiserver(prefix: string, users: WebhookUser[]): { readonly dir: string; readonly webhook: AccessWebhook; readonly apiserver: PrivateApiserver } {
  const handles: { dir?: string; webhook?: AccessWebhook; apiserver?: PrivateApiserver } = {};
  beforeAll(async () => {
    handles.dir = mkdtempSync(join(tmpdir(), prefix));
    handles.webhook = await startAccessWebhook(handles.dir, users);
    handles.apiserver = await startPrivateApiserver([`--authentication-kubeconfig=${handles.webhook.kubeconfig}`, `--authorization-kubeconfig=${handles.webhook.kubeconfig}`]);
  }, 300_000);
  afterAll(async () => {
    await handles.apiserver?.dispose();
    await handles.webhook?.close();
    if (handles.dir) rmSync(handles.dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return handles.dir!;
    },
    get webhook() {
      return handles.webhook!;
    },
    get apiserver() {
      return handles.apiserver!;
    },
  };
}
