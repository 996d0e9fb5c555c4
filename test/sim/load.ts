// Turns each service's requests/s into requests on a timer. Fractions carry over between ticks,
// so N seconds at R requests/s send N·R requests whatever the tick length.

import type { Simulator } from './simulator.ts';
import { serviceKey } from './world.ts';

export class LoadGenerator {
  private readonly owed = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  paused = false;

  private readonly sim: Simulator;
  private readonly now: () => number;

  constructor(sim: Simulator, now: () => number = () => performance.now()) {
    this.sim = sim;
    this.now = now;
  }

  /** Send what `elapsedSeconds` of load owes every unpaused service. */
  tick(elapsedSeconds: number): void {
    if (this.paused) return;
    for (const service of this.sim.currentWorld.services) {
      const key = serviceKey(service.namespace, service.name);
      if (service.load.paused || service.load.requestsPerSecond <= 0) {
        this.owed.delete(key);
        continue;
      }
      const due = (this.owed.get(key) ?? 0) + service.load.requestsPerSecond * elapsedSeconds;
      const whole = Math.floor(due);
      this.owed.set(key, due - whole);
      if (whole > 0) this.sim.send(service, whole);
    }
  }

  start(intervalMs = 50): void {
    this.last = this.now();
    this.timer = setInterval(() => {
      const t = this.now();
      // Cap a stalled event loop's catch-up at one second.
      this.tick(Math.min(1, (t - this.last) / 1000));
      this.last = t;
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
