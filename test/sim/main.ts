// Entry: node test/sim/main.ts --kubeconfig <path> --port <port> [--world <file>] [--seed N]
// Without --kubeconfig it runs with no Istio config (every request takes the default route).

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { describeError, InputError } from '../../src/errors.ts';
import { ConfigWatch } from './config-watch.ts';
import { serveControl } from './control-api.ts';
import { LoadGenerator } from './load.ts';
import { RouteStatusWriter } from './route-status.ts';
import { Simulator } from './simulator.ts';
import { parseWorldText } from './world-parse.ts';

const DEFAULT_WORLD = new URL('./default-world.yaml', import.meta.url);

function parseInteger(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError({ path: `--${flag}`, message: `expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}` });
  return n;
}

function main(): void {
  const { values } = parseArgs({
    options: { kubeconfig: { type: 'string' }, port: { type: 'string' }, world: { type: 'string' }, seed: { type: 'string' }, host: { type: 'string' } },
    strict: true,
  });
  const port = parseInteger('port', values.port, 0, 0, 65535);
  const seed = parseInteger('seed', values.seed, 1, 0, 2 ** 32 - 1);
  const worldFile = values.world ?? DEFAULT_WORLD.pathname;
  let worldText: string;
  try {
    worldText = readFileSync(worldFile, 'utf8');
  } catch (e) {
    throw new InputError({ file: worldFile, path: '', message: `cannot read the world file: ${describeError(e)}` });
  }
  const sim = new Simulator(parseWorldText(worldFile, worldText), seed);
  const log = (m: string) => process.stderr.write(`[sim] ${m}\n`);

  let watch: ConfigWatch | undefined;
  if (values.kubeconfig) {
    const kc = new KubeConfig();
    kc.loadFromFile(values.kubeconfig);
    const status = new RouteStatusWriter(kc, log);
    const reconcileStatus = () => {
      const config = sim.currentConfig;
      const routes = (config.httpRoutes ?? []).filter((r) => !sim.silentGatewayController.has(r.metadata.namespace ?? 'default'));
      status.reconcile(routes, { world: sim.currentWorld, gateways: config.kubeGateways, referenceGrants: config.referenceGrants });
    };
    // A Service created or deleted changes whether a route's backends resolve, as in Istio.
    sim.onWorldChange = reconcileStatus;
    watch = new ConfigWatch(
      kc,
      (config) => {
        sim.setConfig(config);
        reconcileStatus();
      },
      log,
    );
    watch.start();
  }
  const load = new LoadGenerator(sim);
  const deps = { sim, load, synced: () => watch?.synced ?? true };
  const server = createServer((req, res) => void serveControl(deps, req, res));
  server.listen(port, values.host ?? '127.0.0.1', () => {
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    process.stdout.write(`mesh simulator listening on http://127.0.0.1:${actual}\n`);
    load.start();
  });
  const shutdown = () => {
    load.stop();
    watch?.stop();
    server.close();
    server.closeAllConnections();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

try {
  main();
} catch (e) {
  process.stderr.write(`mesh simulator: ${describeError(e)}\n`);
  process.exitCode = 2;
}
