// The simulator's HTTP control API and metrics endpoint (documented in README.md). Every world
// change is scoped to one service or namespace so parallel tests in their own namespaces never
// touch each other's state.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { InputError } from '../../src/errors.ts';
import type { LoadGenerator } from './load.ts';
import type { Simulator } from './simulator.ts';
import { bodySource, readLoad, readProfile, readService, readWorld } from './world-parse.ts';
import { serviceKey, type Service, type Version } from './world.ts';

export interface ControlDeps {
  sim: Simulator;
  load: LoadGenerator;
  /** Whether the first list of VirtualServices, DestinationRules and ServiceEntries succeeded. */
  synced: () => boolean;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

type Reply = { status: number; body: unknown; text?: string };

const ok = (body: unknown): Reply => ({ status: 200, body });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError({ file: `${req.method} ${req.url}`, path: '', message: 'body is not valid JSON' });
  }
}

function findService(deps: ControlDeps, ns: string, name: string): Service {
  const s = deps.sim.service(ns, name);
  if (!s) throw new HttpError(404, `no service ${ns}/${name} in the world`);
  return s;
}

function findVersion(service: Service, name: string): Version {
  const v = service.versions.find((x) => x.name === name);
  if (!v) throw new HttpError(404, `service ${service.namespace}/${service.name} has no version ${name}`);
  return v;
}

/** Replace one service in the world, keeping every other service as it is. */
function putService(deps: ControlDeps, service: Service): void {
  const world = deps.sim.currentWorld;
  const others = world.services.filter((s) => !(s.namespace === service.namespace && s.name === service.name));
  deps.sim.setWorld({ ...world, services: [...others, service] });
}

function replaceVersion(service: Service, version: Version): Service {
  return { ...service, versions: service.versions.map((v) => (v.name === version.name ? version : v)) };
}

async function serviceRoutes(deps: ControlDeps, req: IncomingMessage, method: string, ns: string, name: string, rest: string[]): Promise<Reply> {
  const label = `${method} /services/${ns}/${name}${rest.length ? `/${rest.join('/')}` : ''}`;
  const key = serviceKey(ns, name);
  const [sub, versionName, leaf] = rest;
  if (sub === undefined) {
    if (method === 'GET') return ok(findService(deps, ns, name));
    if (method === 'PUT') {
      const body = (await readJson(req)) as Record<string, unknown>;
      const service = readService(bodySource(label), { ...body, namespace: body.namespace ?? ns, name: body.name ?? name }, []);
      if (service.namespace !== ns || service.name !== name) throw new HttpError(400, `${label}: body names ${service.namespace}/${service.name}, path names ${key}`);
      putService(deps, service);
      return ok(service);
    }
    if (method === 'DELETE') {
      const world = deps.sim.currentWorld;
      deps.sim.setWorld({ ...world, services: world.services.filter((s) => serviceKey(s.namespace, s.name) !== key) });
      deps.sim.reset(key);
      return ok({ deleted: key });
    }
  }
  const service = findService(deps, ns, name);
  if (sub === 'load' && method === 'PUT' && versionName === undefined) {
    const load = readLoad(bodySource(label), await readJson(req), [], ns, service.load);
    putService(deps, { ...service, load });
    return ok(load);
  }
  if (sub === 'send' && method === 'POST' && versionName === undefined) {
    const body = (await readJson(req)) as { count?: unknown };
    const count = body.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1_000_000) {
      throw new InputError({ file: label, path: 'count', message: `expected a whole number from 1 to 1000000, got ${JSON.stringify(count)}` });
    }
    deps.sim.send(service, count);
    return ok(deps.sim.statsFor(key));
  }
  if (sub === 'stats' && method === 'GET') return ok(deps.sim.statsFor(key));
  if (sub === 'reset' && method === 'POST') {
    deps.sim.reset(key);
    return ok({ reset: key });
  }
  if (sub === 'versions' && versionName !== undefined && method === 'PUT') {
    const version = findVersion(service, versionName);
    const body = await readJson(req);
    if (leaf === 'profile') {
      const profile = readProfile(bodySource(label), body, [], version.profile);
      putService(deps, replaceVersion(service, { ...version, profile }));
      return ok(profile);
    }
    if (leaf === 'replicas') {
      const n = (body as { readyReplicas?: unknown }).readyReplicas;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        throw new InputError({ file: label, path: 'readyReplicas', message: `expected a whole number >= 0, got ${JSON.stringify(n)}` });
      }
      putService(deps, replaceVersion(service, { ...version, readyReplicas: n }));
      return ok({ readyReplicas: n });
    }
  }
  throw new HttpError(404, `no route ${label}`);
}

export async function handleControl(deps: ControlDeps, req: IncomingMessage): Promise<Reply> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://sim');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const route = `${method} /${parts.join('/')}`;
  if (route === 'GET /healthz') return deps.synced() ? ok({ ok: true }) : { status: 503, body: { ok: false, reason: 'Istio config not listed yet' } };
  if (route === 'GET /metrics') return { status: 200, body: undefined, text: deps.sim.telemetry.render() };
  if (route === 'GET /world') return ok(deps.sim.currentWorld);
  if (route === 'PUT /world') {
    deps.sim.setWorld(readWorld(bodySource('PUT /world'), await readJson(req)));
    return ok(deps.sim.currentWorld);
  }
  if (route === 'GET /config') {
    const t = deps.sim.routingTable;
    const names = (xs: Array<{ metadata: { namespace?: string; name: string; resourceVersion?: string } }>) =>
      xs.map((x) => ({ name: `${x.metadata.namespace}/${x.metadata.name}`, resourceVersion: x.metadata.resourceVersion ?? '' }));
    return ok({
      synced: deps.synced(),
      virtualServices: names(t.virtualServices.map((b) => b.vs)),
      destinationRules: names(t.destinationRules),
      serviceEntries: names(t.serviceEntries),
      httpRoutes: names(t.httpRoutes),
      sidecars: names(t.sidecars),
      rejected: t.rejected,
    });
  }
  if (route === 'POST /reset') {
    deps.sim.reset();
    return ok({ reset: 'all' });
  }
  if (route === 'POST /load/pause' || route === 'POST /load/resume') {
    deps.load.paused = route.endsWith('pause');
    return ok({ paused: deps.load.paused });
  }
  if (parts[0] === 'namespaces' && parts.length === 3 && parts[2] === 'outbound-policy' && method === 'PUT') {
    const ns = parts[1]!;
    const body = (await readJson(req)) as { mode?: unknown };
    if (body.mode !== 'ALLOW_ANY' && body.mode !== 'REGISTRY_ONLY' && body.mode !== null) {
      throw new InputError({ file: route, path: 'mode', message: `expected ALLOW_ANY, REGISTRY_ONLY or null (mesh default), got ${JSON.stringify(body.mode)}` });
    }
    const world = deps.sim.currentWorld;
    const namespacePolicies = { ...world.namespacePolicies };
    if (body.mode === null) delete namespacePolicies[ns];
    else namespacePolicies[ns] = body.mode;
    deps.sim.setWorld({ ...world, namespacePolicies });
    return ok({ namespace: ns, mode: body.mode ?? deps.sim.routingTable.outboundMode });
  }
  if (parts[0] === 'namespaces' && parts.length === 3 && parts[2] === 'gateway-controller' && method === 'PUT') {
    const body = (await readJson(req)) as { running?: unknown };
    if (typeof body.running !== 'boolean') throw new InputError({ file: route, path: 'running', message: `expected true or false, got ${JSON.stringify(body.running)}` });
    deps.sim.setGatewayController(parts[1]!, body.running);
    return ok({ namespace: parts[1], running: body.running });
  }
  if (parts[0] === 'services' && parts.length >= 3) return serviceRoutes(deps, req, method, parts[1]!, parts[2]!, parts.slice(3));
  throw new HttpError(404, `no route ${route}`);
}

export async function serveControl(deps: ControlDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let reply: Reply;
  try {
    reply = await handleControl(deps, req);
  } catch (e) {
    if (e instanceof InputError) reply = { status: 400, body: { error: e.message } };
    else if (e instanceof HttpError) reply = { status: e.status, body: { error: e.message } };
    else reply = { status: 500, body: { error: e instanceof Error ? e.message : String(e) } };
  }
  if (reply.text !== undefined) {
    res.writeHead(reply.status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(reply.text);
    return;
  }
  res.writeHead(reply.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(reply.body));
}
