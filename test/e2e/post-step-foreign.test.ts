// The action's post step (dist/post.js) after a main step that died before it wrote anything — an API
// timeout on its first read, or a kill — must leave the rollout it finds alone: a promoted release,
// or a release another run is driving right now.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCanarySpec } from '../../src/spec/load.ts';
import { disposedAfterAll, newRelease, readVs, runCli, spawnCli, stateOf, waitForStage, type Release } from './support/release-fixture.ts';

const DIST = resolve(import.meta.dirname, '..', '..', 'dist');
const track = disposedAfterAll();

/** The post step with the state a main step saves before its first write, under its own holder id. */
async function postStep(release: Release, holderId: string): Promise<{ code: number | null; stdout: string }> {
  const spec = await loadCanarySpec(release.specFile);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_ACTIONS: 'true',
    STATE_spec: JSON.stringify(spec),
    STATE_inputs: JSON.stringify({ kubeconfigPath: release.kubeconfig, holderId }),
  };
  const child = spawn(process.execPath, [join(DIST, 'post.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stdout += c.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout }));
  });
}

describe('post step of a main step that wrote nothing', () => {
  it('leaves a promoted release promoted', async () => {
    const r = await track(newRelease('post-promoted', { spec: { stages: [{ weight: 50 }], bake: '2s', interval: '1s' } }));
    expect((await runCli(r, 'run')).code).toBe(0);
    const promoted = await readVs(r);
    expect(stateOf(promoted)?.status).toBe('promoted');
    const post = await postStep(r, 'another-job-1-release');
    expect(post.code, post.stdout).toBe(0);
    expect(post.stdout).not.toContain('::error::');
    expect((await readVs(r)).metadata.resourceVersion).toBe(promoted.metadata.resourceVersion);
  });

  it('leaves a release driven by another run to that run, which promotes it', async () => {
    const r = await track(newRelease('post-foreign', { spec: { stages: [{ weight: 10 }, { weight: 50 }], bake: '4s', interval: '1s' } }));
    const driver = spawnCli(r, 'run');
    await waitForStage(r, '00-weight-10');
    const post = await postStep(r, 'another-job-1-release');
    expect(post.code, post.stdout).toBe(0);
    const result = await driver.done;
    expect(result.code, result.stderr).toBe(0);
    expect(stateOf(await readVs(r))?.status).toBe('promoted');
  });
});
