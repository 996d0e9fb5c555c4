// The route oracle (pilot's route generation, one long-lived process) for one test file: started
// before the file's tests, stopped after them.
import { afterAll, beforeAll } from 'vitest';
import { RouteOracle } from '../env/istio-tools.ts';

export interface OracleClient {
  ask<T = unknown>(question: unknown): Promise<T>;
}

export function routeOracleForFile(): OracleClient {
  let oracle: RouteOracle | undefined;
  beforeAll(async () => {
    oracle = await RouteOracle.start();
  }, 1_200_000);
  afterAll(async () => {
    await oracle?.stop();
  });
  return {
    ask<T>(question: unknown): Promise<T> {
      if (!oracle) throw new Error('the route oracle is not started (routeOracleForFile is called at file level, used inside tests)');
      return oracle.ask<T>(question);
    },
  };
}
