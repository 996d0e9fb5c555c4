import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure layers, in-memory ports, no network) and `e2e` (the local mesh:
// API server with Istio's CRDs, Prometheus, the mesh simulator), which global setup starts once.
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
