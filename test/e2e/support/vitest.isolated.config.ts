import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// The e2e project with the mesh in a private state directory (see isolated-global-setup.ts):
//   MESH_STATE_DIR=/tmp/me/mesh npx vitest run --config test/e2e/support/vitest.isolated.config.ts test/e2e/release-*.test.ts
export default defineConfig({
  root: resolve(import.meta.dirname, '..', '..', '..'),
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/support/isolated-global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
