// When the engine's own rollback cannot be written, the error says so by its type (RollbackFailedError),
// so the action's post step retries that rollback whoever holds the rollout; a cluster error before
// anything was written is not one.
import { expect, test } from 'vitest';
import { ClusterError } from '../../../src/errors.ts';
import { RollbackFailedError } from '../../../src/engine/rollback-error.ts';
import type { RoutingPort } from '../../../src/core/ports.ts';
import { world } from './harness.ts';

test('start whose write landed but whose read-back and rollback fail ends in a RollbackFailedError', async () => {
  const w = world();
  let vsWritten = false;
  const routing: RoutingPort = {
    get: (async (kind: 'VirtualService', ns: string, name: string) => {
      if (vsWritten) throw new ClusterError('Could not reach the Kubernetes API server');
      return w.routing.get(kind, ns, name);
    }) as RoutingPort['get'],
    write: async (object) => {
      const stored = await w.routing.write(object);
      if (object.kind === 'VirtualService') vsWritten = true;
      return stored;
    },
  };
  const error = await w.exec('start', { routing }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RollbackFailedError);
  expect(w.state()).toMatchObject({ status: 'in-progress' });
  // The holder record is released after a command's last write has been read back; this one never
  // was, so the record still names the run, and its post step (same holder) rolls back too.
  expect(w.holder()).toMatchObject({ id: 'run-1' });
});

test('a cluster error before anything was written is not a failed rollback', async () => {
  const w = world();
  const routing: RoutingPort = {
    get: (async () => {
      throw new ClusterError('Could not reach the Kubernetes API server');
    }) as RoutingPort['get'],
    write: (object) => w.routing.write(object),
  };
  const error = await w.exec('run', { routing }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ClusterError);
  expect(error).not.toBeInstanceOf(RollbackFailedError);
});
