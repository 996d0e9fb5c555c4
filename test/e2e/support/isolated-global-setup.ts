// Global setup like test/env/global-setup.ts, but with the mesh's state (pid files, data, env.json)
// in MESH_STATE_DIR: several people share this machine's repository, and one run's teardown of the
// shared `.mesh/` would stop the stack under another's tests.
import type { TestProject } from 'vitest/node';
import { startMesh, stopMesh } from '../../env/mesh.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stateDir = process.env['MESH_STATE_DIR'];
  if (!stateDir) throw new Error('MESH_STATE_DIR is not set: use test/env/global-setup.ts for the shared .mesh/');
  const { env, started } = await startMesh({ stateDir });
  project.provide('mesh', env);
  return async () => {
    if (started.length > 0 && process.env['MESH_KEEP'] !== '1') await stopMesh({ stateDir, only: started });
  };
}
