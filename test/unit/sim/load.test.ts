import { describe, expect, it } from 'vitest';
import { LoadGenerator } from '../../sim/load.ts';
import { Simulator } from '../../sim/simulator.ts';
import { NS, demoWorld } from './fixtures.ts';

function setup(rps: number) {
  const world = demoWorld();
  world.services[0]!.load = { ...world.services[0]!.load, requestsPerSecond: rps };
  const sim = new Simulator(world, 1);
  return { sim, load: new LoadGenerator(sim, () => 0) };
}

describe('load generator', () => {
  it('carries fractions between ticks: 30 req/s over 20 ticks of 50 ms sends 30', () => {
    const { sim, load } = setup(30);
    for (let i = 0; i < 20; i++) load.tick(0.05);
    expect(sim.statsFor(`${NS}/catalog`).requests).toBe(30);
  });

  it('sends nothing while paused, globally or per service', () => {
    const { sim, load } = setup(100);
    load.paused = true;
    load.tick(1);
    expect(sim.statsFor(`${NS}/catalog`).requests).toBe(0);
    load.paused = false;
    const s = sim.currentWorld.services[0]!;
    sim.setWorld({ ...sim.currentWorld, services: [{ ...s, load: { ...s.load, paused: true } }] });
    load.tick(1);
    expect(sim.statsFor(`${NS}/catalog`).requests).toBe(0);
  });

  it('header share: about that share of requests carries the header', () => {
    const { sim, load } = setup(10_000);
    const s = sim.currentWorld.services[0]!;
    sim.setWorld({ ...sim.currentWorld, services: [{ ...s, load: { ...s.load, headers: [{ name: 'x-istio-cohort', value: 'internal', share: 0.2 }] } }] });
    sim.setConfig({
      virtualServices: [
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name: 'c', namespace: NS },
          spec: { hosts: ['catalog'], http: [{ match: [{ headers: { 'x-istio-cohort': { exact: 'internal' } } }], route: [{ destination: { host: 'catalog', subset: 'b' } }] }, { route: [{ destination: { host: 'catalog', subset: 'a' } }] }] },
        },
      ],
      destinationRules: [{ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'c', namespace: NS }, spec: { host: 'catalog', subsets: [{ name: 'a', labels: { version: 'v1' } }, { name: 'b', labels: { version: 'v2' } }] } }],
      serviceEntries: [],
    });
    load.tick(1);
    const v2 = sim.statsFor(`${NS}/catalog`).versions.v2!.live;
    expect(Math.abs(v2 - 2000)).toBeLessThan(3.29 * Math.sqrt(10_000 * 0.2 * 0.8));
  });
});
