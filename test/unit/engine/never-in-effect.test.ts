// A release whose first stage the routing port says could never take effect (an HTTPRoute none of
// whose parents Istio serves) is refused before any write: one input error naming the object and
// field, exit 2, no routing written, nobody left holding the rollout. A resumed release is not asked.
import { describe, expect, it } from 'vitest';
import { exitCodeOf, InputError } from '../../../src/errors.ts';
import { routingWith, world } from './harness.ts';

const PROBLEM = { path: 'VirtualService istioinaction/catalog: spec.parentRefs', message: 'Istio serves none of its parents; expected a parent Istio serves (nothing was written)' };

describe('a release that could never take effect', () => {
  it.each(['run', 'start'] as const)('%s: refused before any write with the port\'s problem', async (command) => {
    const w = world();
    const asked: string[][] = [];
    const routing = routingWith(w.routing, {
      neverInEffect: async (objects) => {
        asked.push(objects.map((o) => `${o.kind}/${o.metadata.name}`));
        return PROBLEM;
      },
    });
    const error = await w.exec(command, { routing }).catch((e: unknown) => e);
    expect(error).toEqual(new InputError(PROBLEM));
    expect(exitCodeOf(error)).toBe(2);
    expect(asked).toEqual([['DestinationRule/catalog', 'VirtualService/catalog']]);
    expect(w.written()).toEqual([]);
    expect(w.state()).toBeUndefined();
    expect(w.holder()).toBeUndefined();
  });

  it('a port with nothing to say: the release goes on and is promoted', async () => {
    const w = world();
    const routing = routingWith(w.routing, { neverInEffect: async () => undefined });
    await w.exec('run', { routing });
    expect(w.state()).toMatchObject({ status: 'promoted' });
  });
});
