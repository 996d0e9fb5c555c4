// The action's main step: read inputs, wire adapters, run one command, set outputs.
// Start-up loads only @actions/core and the input readers; the spec layer, the engine and the
// adapters are imported once the inputs show they are needed, so a step that fails on its inputs
// (or runs `plan`) never pays for the rest.
import * as core from '@actions/core';
import { ClusterError, describeError } from '../errors.ts';
import { requireSpecInputs, type SpecInputs } from '../spec/spec-inputs.ts';
import type { CanarySpec } from '../spec/types.ts';
import { githubForCommits, readBoolean, readCommand, readDuration, readKubeconfig, readSecret, readUrl } from './inputs.ts';
import { withModeOverrides } from '../spec/mode.ts';
import { actionLogger } from './log.ts';
import { logSafe } from '../adapters/log-safe.ts';
import { checkActor } from './actors.ts';
import { STATE_FINISHED, STATE_ROLLBACK_PENDING, STATE_SPEC, STATE_INPUTS } from './post-state.ts';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

// The functions, not the module namespace: passing `core` itself would make the bundler keep every
// part of @actions/core (and the HTTP client behind its OIDC helper) on the start path.
const log = actionLogger();

async function readSpec(): Promise<CanarySpec> {
  const file = core.getInput('spec');
  if (file) {
    const { loadCanarySpec } = await import('../spec/load.ts');
    return loadCanarySpec(file, core.getInput('canary') || undefined);
  }
  const inputs: SpecInputs = {
    name: core.getInput('canary') || undefined,
    namespace: core.getInput('namespace'),
    virtualService: core.getInput('virtual-service'),
    host: core.getInput('host'),
    stableVersion: core.getInput('stable-version'),
    canaryVersion: core.getInput('canary-version'),
    route: core.getInput('route') || undefined,
    destinationRule: core.getInput('destination-rule') || undefined,
    bake: core.getInput('bake') || undefined,
    settle: core.getInput('settle') || undefined,
  };
  requireSpecInputs(inputs);
  const { specFromInputs } = await import('../spec/inputs.ts');
  return specFromInputs(inputs);
}

export async function run(): Promise<void> {
  const command = readCommand();
  if (command === 'plan') {
    const { runPlanInAction } = await import('./plan.ts');
    await runPlanInAction(log);
    core.saveState(STATE_FINISHED, 'true');
    return;
  }
  const spec = withModeOverrides(await readSpec(), { mode: core.getInput('mode').trim(), names: { mode: 'input mode', repository: 'spec.commit.repository', branch: 'spec.commit.branch' } });
  const [github, { runRelease }, { abortOnSignals }, { exitCodeForStatus, outcomeLine }, { createFileReport }, { RollbackFailedError }] = await Promise.all([
    import('@actions/github'),
    import('../app/release.ts'),
    import('../app/signals.ts'),
    import('../app/outcome.ts'),
    import('../adapters/file-report.ts'),
    import('../engine/rollback-error.ts'),
  ]);
  checkActor(command, core.getInput('allowed-actors'), github.context.actor, process.env.GITHUB_TRIGGERING_ACTOR);
  const kubeconfig = await readKubeconfig('kubeconfig');
  const prometheusToken = readSecret('prometheus-token');
  const reportPath = join(process.env.RUNNER_TEMP ?? '.', `istio-canary-${spec.name}.md`);
  const runUrl = `${github.context.serverUrl}/${github.context.repo.owner}/${github.context.repo.repo}/actions/runs/${github.context.runId}`;
  // Unique per step execution: the legs of a matrix job share run, attempt and job id. The post
  // step gets it through the saved state, so it still recognises its own rollout.
  const holderId = `${github.context.runId}-${github.context.runAttempt}-${github.context.job}-${randomUUID().slice(0, 8)}`;
  const options = { holderTimeoutMs: readDuration('holder-timeout'), supersede: readBoolean('supersede'), forceConflicts: readBoolean('force-conflicts') };
  // The octokit client is loaded only once a spec was read: it is a large part of start-up time.
  const { githubSurface } = await import('./github-surface.ts');
  const surface = await githubSurface(github, { canary: spec.name, version: spec.canary.subset, runUrl, log });
  const { deploymentStateOf } = await import('../adapters/github-deployments.ts');
  if (command !== 'status') await surface.deployment?.record('in_progress', `${command}: ${spec.name} releasing ${spec.canary.subset}`, command !== 'abort');
  // Every input is read and checked by now. The post step needs these to roll back if this step
  // dies without reaching a terminal state; `status` writes nothing, so there is nothing to undo.
  if (command !== 'status') core.saveState(STATE_SPEC, JSON.stringify(spec));
  core.saveState(STATE_INPUTS, JSON.stringify({ kubeconfigPath: core.getInput('kubeconfig-path') || undefined, runUrl, holderId }));
  const signals = abortOnSignals(log);
  let commitSha = '';
  try {
    const result = await runRelease({
      spec,
      command,
      kubeconfig,
      kubeconfigPath: core.getInput('kubeconfig-path') || undefined,
      prometheusUrl: readUrl('prometheus-url'),
      prometheusToken,
      holderId,
      runUrl,
      ...options,
      log,
      reports: [...surface.reports, createFileReport(reportPath)],
      reportLinks: surface.links,
      signal: signals.signal,
      entry: 'action',
      github: githubForCommits(),
      onCommit: (sha) => {
        commitSha = sha;
      },
    });
    log.close();
    if (command !== 'status') {
      const where = result.status === 'promoted' ? 'promoted' : `${result.status} at ${result.stage} (canary ${result.canaryWeight} %)`;
      await surface.deployment?.record(deploymentStateOf(result.status, command), `${spec.canary.subset}: ${where}`, false);
    }
    core.setOutput('stage', result.stage);
    core.setOutput('status', result.status);
    core.setOutput('canary-weight', String(result.canaryWeight));
    core.setOutput('report', reportPath);
    core.setOutput('commit-sha', commitSha);
    log.info(outcomeLine(spec, result));
    if (exitCodeForStatus(result.status, command) !== 0) {
      core.setFailed(logSafe(result.failure ?? `${spec.name}: the release failed and was rolled back`));
    }
  } catch (error) {
    // The engine rolls back on every error it can handle. Only when the cluster could not be
    // reached (state unknown) is it worth another try, which the post step makes.
    if (!(error instanceof ClusterError)) {
      core.saveState(STATE_FINISHED, 'true');
      // run/start was refused or failed outright: the deployment it opened did not happen. One it
      // found open belongs to the run already releasing this version, which goes on.
      if ((command === 'run' || command === 'start') && surface.deployment?.opened) await surface.deployment?.record('error', `${command} failed: ${describeError(error)}`, false);
    }
    if (error instanceof RollbackFailedError) core.saveState(STATE_ROLLBACK_PENDING, 'true');
    throw error;
  } finally {
    log.close();
    signals.dispose();
  }
  core.saveState(STATE_FINISHED, 'true');
}

run().catch((error: unknown) => {
  // Any thrown value, Error or not, fails the step with a message and no stack trace.
  core.setFailed(logSafe(describeError(error)));
});
