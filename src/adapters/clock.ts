// The real clock. Sleeping is abort-aware so a cancelled job stops baking at once and rolls back.
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../core/ports.ts';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await delay(Math.max(0, ms), undefined, { signal });
  },
};
