// The apps' own request counter (http_requests_total): every request a workload serves, live or
// mirrored, with the code it answered, in either data plane; behind a waypoint it is the one metric
// that sees the canary's shadow requests. Local replies of a proxy are not counted: no app served them.
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../sim/simulator.ts';
import type { World } from '../../sim/world.ts';
import { parseExposition, sumWhere } from './exposition.ts';
import { NS, demoWorld, destinationRule, to, virtualService } from './fixtures.ts';

const APP = 'http_requests_total';
const REQ = 'istio_requests_total';

/** The demo world with the v2 pod failing every request, under the given data plane. */
function world(dataPlane: 'sidecar' | 'waypoint'): World {
  const w = demoWorld();
  const catalog = w.services[0]!;
  const versions = catalog.versions.map((v) => (v.name === 'v2' ? { ...v, profile: { ...v.profile, errorRatio: 1, errorCode: 503 } } : v));
  return { ...w, services: [{ ...catalog, dataPlane, versions, load: { ...catalog.load, from: `${NS}/webapp` } }] };
}

function send(dataPlane: 'sidecar' | 'waypoint', http: Parameters<typeof virtualService>[0], count: number) {
  const sim = new Simulator(world(dataPlane), 1);
  sim.setConfig({ virtualServices: [virtualService(http)], destinationRules: [destinationRule()], serviceEntries: [] });
  sim.send(sim.service(NS, 'catalog')!, count);
  return parseExposition(sim.telemetry.render());
}

describe("the apps' own request counter", () => {
  it.each(['sidecar', 'waypoint'] as const)('%s: each workload counts what it served, mirrored requests included, by code', (dataPlane) => {
    const samples = send(dataPlane, [{ route: [to('version-v1')], mirror: { host: 'catalog', subset: 'version-v2' } }], 25);
    expect(sumWhere(samples, APP, { namespace: NS, workload: 'catalog-v1', method: 'GET', code: '200' })).toBe(25);
    expect(sumWhere(samples, APP, { namespace: NS, workload: 'catalog-v2', method: 'GET', code: '503' })).toBe(25);
    expect(sumWhere(samples, APP, { workload: 'catalog-v2', code: '200' })).toBe(0);
    // What Istio's proxies saw of the shadows, for contrast: the canary's sidecar, or nobody behind a waypoint.
    expect(sumWhere(samples, REQ, { destination_workload: 'catalog-v2' })).toBe(dataPlane === 'sidecar' ? 25 : 0);
  });

  it('a reply the proxy makes itself (no such subset: 503 NC) is served by no app', () => {
    const samples = send('sidecar', [{ route: [to('version-v9')] }], 10);
    expect(sumWhere(samples, REQ, { reporter: 'source', response_code: '503' })).toBe(10);
    expect(samples.filter((s) => s.name === APP)).toEqual([]);
  });

  it('removing a service drops its series', () => {
    const sim = new Simulator(world('waypoint'), 1);
    sim.send(sim.service(NS, 'catalog')!, 5);
    expect(parseExposition(sim.telemetry.render()).some((s) => s.name === APP)).toBe(true);
    sim.reset(`${NS}/catalog`);
    expect(parseExposition(sim.telemetry.render()).some((s) => s.name === APP)).toBe(false);
  });
});
