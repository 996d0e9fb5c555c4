import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { handleControl, serveControl, type ControlDeps } from '../../sim/control-api.ts';
import { LoadGenerator } from '../../sim/load.ts';
import { Simulator } from '../../sim/simulator.ts';
import { NS, demoWorld } from './fixtures.ts';

function deps(synced = true): ControlDeps {
  const sim = new Simulator(demoWorld(), 1);
  return { sim, load: new LoadGenerator(sim, () => 0), synced: () => synced };
}

function request(method: string, url: string, body?: unknown): IncomingMessage {
  const chunks = body === undefined ? [] : [Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))];
  return Object.assign(Readable.from(chunks), { method, url }) as unknown as IncomingMessage;
}

function call(d: ControlDeps, method: string, url: string, body?: unknown) {
  return handleControl(d, request(method, url, body));
}

describe('control API', () => {
  it('healthz is 503 until the Istio config was listed', async () => {
    expect((await call(deps(false), 'GET', '/healthz')).status).toBe(503);
    expect((await call(deps(true), 'GET', '/healthz')).status).toBe(200);
  });

  it('a profile change applies to the next requests ("v2 starts failing 30 % now")', async () => {
    const d = deps();
    await call(d, 'PUT', `/services/${NS}/catalog/versions/v2/profile`, { errorRatio: 1, errorCode: 503 });
    const v2 = d.sim.service(NS, 'catalog')!.versions.find((v) => v.name === 'v2')!;
    expect(v2.profile).toMatchObject({ errorRatio: 1, errorCode: 503, latency: { medianMs: 20, p99Ms: 80 } });
    const reply = await call(d, 'POST', `/services/${NS}/catalog/send`, { count: 30 });
    const stats = reply.body as { versions: Record<string, { liveByCode: Record<string, number> }> };
    expect(stats.versions.v2!.liveByCode).toEqual({ '503': 10 });
    expect(stats.versions.v1!.liveByCode).toEqual({ '200': 20 });
  });

  it('changes to one service leave other services alone', async () => {
    const d = deps();
    await call(d, 'PUT', '/services/team-b/catalog', { versions: [{ name: 'v1' }], load: { from: 'team-b/web', requestsPerSecond: 5 } });
    await call(d, 'PUT', `/services/${NS}/catalog/load`, { requestsPerSecond: 40 });
    const world = d.sim.currentWorld;
    expect(world.services.map((s) => [s.namespace, s.load.requestsPerSecond])).toEqual(
      expect.arrayContaining([[NS, 40], ['team-b', 5]]),
    );
    expect(world.services.find((s) => s.namespace === 'team-b')!.versions[0]!.workloadNamespace).toBe('team-b');
  });

  it('a ready-replica change to zero turns a subset into 503 UH', async () => {
    const d = deps();
    await call(d, 'PUT', `/services/${NS}/catalog/versions/v2/replicas`, { readyReplicas: 0 });
    const stats = (await call(d, 'POST', `/services/${NS}/catalog/send`, { count: 6 })).body as { versions: Record<string, { live: number }> };
    expect(Object.keys(stats.versions)).toEqual(['v1']);
  });

  it.each([
    ['PUT', `/services/${NS}/catalog/versions/v2/profile`, { errorRatio: 'lots' }, 400, 'errorRatio: expected a number from 0 to 1, got "lots"'],
    ['PUT', `/services/${NS}/catalog/versions/v9/profile`, { errorRatio: 0.1 }, 404, 'has no version v9'],
    ['POST', `/services/${NS}/catalog/send`, { count: 0 }, 400, 'count: expected a whole number from 1 to 1000000, got 0'],
    ['PUT', `/services/${NS}/catalog/load`, '{not json', 400, 'body is not valid JSON'],
    ['PUT', '/namespaces/x/outbound-policy', { mode: 'OPEN' }, 400, 'expected ALLOW_ANY, REGISTRY_ONLY or null'],
    ['GET', '/services/nowhere/none/stats', undefined, 404, 'no service nowhere/none'],
  ])('%s %s with %j answers %d naming the problem', async (method, url, body, status, message) => {
    const d = deps();
    const written = { status: 0, text: '' };
    const res = {
      writeHead: (s: number) => (written.status = s),
      end: (t: string) => (written.text = t),
    };
    await serveControl(d, request(method, url, body), res as never);
    expect(written.status).toBe(status);
    expect(JSON.parse(written.text).error).toContain(message);
  });
});
