// When the engine's own rollback cannot be written, the error says so by its type (RollbackFailedError),
// so the action's post step retries that rollback whoever holds the rollout; a cluster error before
// anything was written is not one.
import { expect, test } from 'vitest';
import { ClusterError } from '../../../src/errors.ts';
import { RollbackFailedError } from '../../../src/engine/rollback-error.ts';
import type { RoutingPort } from '../../../src/core/ports.ts';
import { routingWith, world } from './harness.ts';

test('start whose write landed but whose read-back and rollback fail ends in a RollbackFailedError', async () => {
  const w = world();
  let vsWritten = false;
  const unreachable = () => new ClusterError('Could not reach the Kubernetes API server');
  const routing = routingWith(w.routing, {
    get: (async (ref) => {
      if (vsWritten) throw unreachable();
      return w.routing.get(ref);
    }) as RoutingPort['get'],
    write: async (object) => {
      const stored = await w.routing.write(object);
      if (object.kind === 'VirtualService') vsWritten = true;
      return stored;
    },
    // The read-back of the write goes through the same failing connection.
    applied: async (ref, desired, stored) => {
      if (vsWritten) throw unreachable();
      return w.routing.applied(ref, desired, stored);
    },
  });
  const error = await w.exec('start', { routing }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RollbackFailedError);
  expect(w.state()).toMatchObject({ status: 'in-progress' });
  // The holder record is released after a command's last write has been read back; this one never
  // was, so the record still names the run, and its post step (same holder) rolls back too.
  expect(w.holder()).toMatchObject({ id: 'run-1' });
});

test('a cluster error before anything was written is not a failed rollback', async () => {
  const w = world();
  const routing = routingWith(w.routing, {
    get: (async () => {
      throw new ClusterError('Could not reach the Kubernetes API server');
    }) as RoutingPort['get'],
  });
  const error = await w.exec('run', { routing }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ClusterError);
  expect(error).not.toBeInstanceOf(RollbackFailedError);
});
