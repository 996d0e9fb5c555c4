// Vitest global setup for the e2e project: provides the local mesh's env to the tests.
//
// If `npm run mesh:up` brought the mesh up (.mesh/env.json exists), the run uses that mesh,
// repairing what has stopped, and stops only what it had to start. Otherwise it starts a private
// mesh in a temporary directory and removes it afterwards, so that two test runs on one machine
// never share, and never stop, each other's components.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { defaultStateDir, startMesh, stopMesh, type MeshEnv } from './mesh.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mesh: MeshEnv;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = existsSync(join(defaultStateDir, 'env.json'));
  const stateDir = shared ? defaultStateDir : mkdtempSync(join(tmpdir(), 'istio-canary-mesh-'));
  try {
    const { env, started } = await startMesh({ stateDir });
    project.provide('mesh', env);
    return async () => {
      if (started.length > 0) await stopMesh({ stateDir, only: started });
      if (!shared) rmSync(stateDir, { recursive: true, force: true });
    };
  } catch (error) {
    if (!shared) {
      await stopMesh({ stateDir });
      rmSync(stateDir, { recursive: true, force: true });
    }
    throw error;
  }
}
