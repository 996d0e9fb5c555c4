import { defineConfig } from 'vitest/config';

// Three projects: `unit` (pure layers, in-memory ports, no network), `oracle` (Istio's own code
// judges our output and the simulator) and `e2e` (the local mesh: API server with Istio's CRDs,
// Prometheus, the mesh simulator), which global setup starts once.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // GitHub's action-metadata parser imports its schema as JSON without an import attribute,
          // which Node refuses; bundled through Vite it loads.
          server: { deps: { inline: ['@actions/workflow-parser'] } },
          // Property tests drive whole releases and tests that spawn the CLI start Node: on a loaded
          // 2-core machine they pass 5 s without being wrong. A deadline, not a performance claim.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          // Istio's own code as the oracle (test/oracle): pilot's routes and istioctl, built from the
          // istio.io/istio Go module; global setup builds them into the cache once per run.
          name: 'oracle',
          include: ['test/oracle/**/*.test.ts'],
          globalSetup: ['test/oracle/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 1_800_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/env/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
