// Vitest global setup for the e2e project: starts the local mesh once per run (or reuses the one
// `npm run mesh:up` started), provides its env to the tests, and stops only what it started.

import type { TestProject } from 'vitest/node';
import { startMesh, stopMesh, type MeshEnv } from './mesh.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mesh: MeshEnv;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { env, started } = await startMesh();
  project.provide('mesh', env);
  return async () => {
    if (started.length > 0) await stopMesh({ only: started });
  };
}
