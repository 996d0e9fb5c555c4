// The post step (post-if: always()): if the main step died before reaching a state it meant to
// leave (cancelled, killed, crashed), roll the release back so no traffic stays on the canary.
import * as core from '@actions/core';
import { logSafe } from '../adapters/log-safe.ts';
import { outcomeLine } from '../app/outcome.ts';
import { describeError } from '../errors.ts';
import { actionLogger } from './log.ts';
import type { CanarySpec } from '../spec/types.ts';
import { githubForCommits, readKubeconfig } from './inputs.ts';
import { STATE_FINISHED, STATE_INPUTS, STATE_ROLLBACK_PENDING, STATE_SPEC } from './post-state.ts';

const log = actionLogger();

export async function post(): Promise<void> {
  if (core.getState(STATE_FINISHED) === 'true') return;
  const specJson = core.getState(STATE_SPEC);
  if (!specJson) return; // the main step failed before it read a spec: nothing was written
  const spec = JSON.parse(specJson) as CanarySpec;
  const inputs = JSON.parse(core.getState(STATE_INPUTS) || '{}') as { kubeconfigPath?: string; runUrl?: string; holderId?: string };
  const kubeconfig = await readKubeconfig('kubeconfig');
  log.warning(`${spec.name}: the main step ended without a final state; rolling back to stable what it was driving`);
  // Loaded only when there is something to roll back: most post steps end at the check above.
  const { runRelease } = await import('../app/release.ts');
  const result = await runRelease({
    spec,
    command: 'abort',
    kubeconfig,
    kubeconfigPath: inputs.kubeconfigPath,
    runUrl: inputs.runUrl,
    // Same holder as the main step, so the post step continues its rollout rather than taking
    // over someone else's.
    holderId: inputs.holderId,
    // A main step that died before it wrote must not undo a promoted release or another run's rollout;
    // one whose own rollback failed is retried whatever the state's holder.
    onlyOwnRollout: core.getState(STATE_ROLLBACK_PENDING) !== 'true',
    log,
    reports: [],
    // Commit mode: the rollback is a commit, pushed the way the main step pushed.
    entry: 'action',
    github: githubForCommits(),
  });
  log.close();
  log.info(outcomeLine(spec, result));
  await closeDeployment(spec, inputs.runUrl);
}

/** The deployment the main step left in progress ends as a failure: its release was rolled back here. */
async function closeDeployment(spec: CanarySpec, runUrl: string | undefined): Promise<void> {
  const environment = core.getInput('environment');
  const token = core.getInput('github-token');
  if (!environment || !token) return;
  const github = await import('@actions/github');
  const { createDeploymentTracker } = await import('../adapters/github-deployments.ts');
  const { owner, repo } = github.context.repo;
  const tracker = createDeploymentTracker({ octokit: github.getOctokit(token), owner, repo, environment, sha: github.context.sha, canary: spec.name, version: spec.canary.subset, runUrl, log });
  await tracker.record('failure', `${spec.canary.subset}: the main step ended without a final state; rolled back by the post step`, false);
}

post().catch((error: unknown) => {
  core.setFailed(logSafe(`rollback in the post step failed: ${describeError(error)}`));
});
