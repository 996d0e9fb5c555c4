// A write the API server stored but whose answer was lost: the adapter retries the PUT, gets 409 (the
// resourceVersion moved on with our own write) and the engine re-reads. The change it meant to make
// is already there and must not be made twice.
import { expect, test } from 'vitest';
import { ConflictError } from '../../../src/errors.ts';
import type { RoutingObject, RoutingPort } from '../../../src/core/ports.ts';
import type { VirtualService } from '../../../src/istio/types.ts';
import { routingWith, STABLE, world, type World } from './harness.ts';

/** A routing port whose VirtualService writes are stored, then answered with a conflict, when `lose` says so. */
function losingAnswers(w: World, lose: (vs: VirtualService, n: number) => boolean): RoutingPort {
  let n = 0;
  return routingWith(w.routing, {
    async write<T extends RoutingObject>(object: T): Promise<T> {
      const stored = await w.routing.write(object);
      if (object.kind === 'VirtualService' && lose(object as VirtualService, ++n)) throw new ConflictError('the object has been modified', { status: 409 });
      return stored;
    },
  });
}

test('a failed evaluation whose write answer was lost counts once toward failureLimit', async () => {
  let evaluation = 0;
  const w = world({ health: () => (++evaluation === 1 ? 0 : 1) }, );
  const spec2 = { ...w.spec, analysis: { ...w.spec.analysis!, checks: w.spec.analysis!.checks.map((c) => ({ ...c, failureLimit: 2 })) } };
  let lost = false;
  const routing = losingAnswers(w, (vs) => {
    if (lost || !JSON.stringify(vs.metadata.annotations).includes('"status\\":\\"fail\\"')) return false;
    return (lost = true);
  });
  const result = await w.exec('run', { routing, spec: spec2 });
  expect(lost).toBe(true);
  expect(result.status).toBe('promoted');
  const first = w.state()!.history[0]!;
  expect(first.evaluations.filter((e) => e.verdicts.some((v) => v.status === 'fail'))).toHaveLength(1);
});

test('entering a stage whose write answer was lost keeps one record of the stage', async () => {
  const w = world();
  let lost = false;
  const routing = losingAnswers(w, (vs) => {
    if (lost || !JSON.stringify(vs.spec).includes('"weight":10')) return false;
    return (lost = true);
  });
  const result = await w.exec('run', { routing });
  expect(lost).toBe(true);
  expect(result.status).toBe('promoted');
  expect(w.state()!.history.map((r) => r.stage)).toEqual(['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', 'promoted']);
  expect(w.traffic()).not.toEqual(STABLE);
});

test('the promotion, the command’s last write, whose answer was lost: promoted, not “no longer drives the rollout”', async () => {
  const w = world();
  let lost = false;
  const routing = losingAnswers(w, (vs) => {
    if (lost || !JSON.stringify(vs.metadata.annotations).includes('"status\\":\\"promoted\\"')) return false;
    return (lost = true);
  });
  const result = await w.exec('run', { routing });
  expect(lost).toBe(true);
  expect(result.status).toBe('promoted');
  expect(w.state()!.history.map((r) => r.stage).filter((s) => s === 'promoted')).toHaveLength(1);
});
