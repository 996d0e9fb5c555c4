// SIGINT/SIGTERM become an aborted signal: the engine stops baking and rolls back to stable.
// GitHub's cancel sends SIGINT, then SIGTERM 7.5 s later, then kills; a second signal must not
// interrupt the rollback that the first one started.
import type { Logger } from '../core/ports.ts';

export function abortOnSignals(log: Logger): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log.warning(`${name} received again: still rolling back to stable, please wait`);
      return;
    }
    log.warning(`${name} received: rolling back to stable`);
    controller.abort(new Error(`cancelled by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
