// The action's main step: read inputs, wire adapters, run one command, set outputs.
import * as core from '@actions/core';
import { ClusterError, describeError } from '../errors.ts';
import { loadCanarySpec } from '../spec/load.ts';
import { specFromInputs } from '../spec/inputs.ts';
import type { CanarySpec } from '../spec/types.ts';
import { runRelease } from '../app/release.ts';
import { abortOnSignals } from '../app/signals.ts';
import { exitCodeForStatus, outcomeLine } from '../app/outcome.ts';
import { readBoolean, readCommand, readDuration, readKubeconfig, readSecret, readUrl } from './inputs.ts';
import { createFileReport } from '../adapters/file-report.ts';
import { logSafe, safeLogger } from '../adapters/log-safe.ts';
import type { Logger, ReportPort } from '../engine/ports.ts';
import { runPlanInAction } from './plan.ts';
import { STATE_FINISHED, STATE_ROLLBACK_PENDING, STATE_SPEC, STATE_INPUTS } from './post-state.ts';
import { RollbackFailedError } from '../engine/rollback-error.ts';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

const log: Logger = safeLogger({ info: core.info, warning: core.warning, error: core.error });

async function readSpec(): Promise<CanarySpec> {
  const file = core.getInput('spec');
  if (file) return loadCanarySpec(file, core.getInput('canary') || undefined);
  return specFromInputs({
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
  });
}

type GitHub = typeof import('@actions/github');

/** The octokit client is loaded only once a spec was read: it is a large part of start-up time. */
async function reportPorts(github: GitHub, canary: string): Promise<ReportPort[]> {
  const { createJobSummary, createPullRequestComment, resolvePullRequest } = await import('../adapters/github.ts');
  const ports: ReportPort[] = [createJobSummary(core)];
  const token = readSecret('github-token');
  const pr = resolvePullRequest(github.context, core.getInput('pull-request') || undefined);
  if (token && pr !== undefined) {
    ports.push(createPullRequestComment({
      octokit: github.getOctokit(token),
      owner: github.context.repo.owner,
      repo: github.context.repo.repo,
      issueNumber: pr,
      marker: canary,
      log,
    }));
  }
  return ports;
}

export async function run(): Promise<void> {
  const command = readCommand();
  if (command === 'plan') {
    await runPlanInAction(log);
    core.saveState(STATE_FINISHED, 'true');
    return;
  }
  const spec = await readSpec();
  const github = await import('@actions/github');
  const kubeconfig = readKubeconfig('kubeconfig');
  const prometheusToken = readSecret('prometheus-token');
  const reportPath = join(process.env.RUNNER_TEMP ?? '.', `istio-canary-${spec.name}.md`);
  const runUrl = `${github.context.serverUrl}/${github.context.repo.owner}/${github.context.repo.repo}/actions/runs/${github.context.runId}`;
  // The post step needs these to roll back if this step dies without reaching a terminal state;
  // `status` writes nothing, so there is nothing for it to undo.
  if (command !== 'status') core.saveState(STATE_SPEC, JSON.stringify(spec));
  // Unique per step execution: the legs of a matrix job share run, attempt and job id. The post
  // step gets it through the saved state, so it still recognises its own rollout.
  const holderId = `${github.context.runId}-${github.context.runAttempt}-${github.context.job}-${randomUUID().slice(0, 8)}`;
  core.saveState(STATE_INPUTS, JSON.stringify({ kubeconfigPath: core.getInput('kubeconfig-path') || undefined, runUrl, holderId }));
  const signals = abortOnSignals(log);
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
      holderTimeoutMs: readDuration('holder-timeout'),
      supersede: readBoolean('supersede'),
      forceConflicts: readBoolean('force-conflicts'),
      log,
      reports: [...(await reportPorts(github, spec.name)), createFileReport(reportPath)],
      signal: signals.signal,
    });
    core.setOutput('stage', result.stage);
    core.setOutput('status', result.status);
    core.setOutput('canary-weight', String(result.canaryWeight));
    core.setOutput('report', reportPath);
    log.info(outcomeLine(spec, result));
    if (exitCodeForStatus(result.status, command) !== 0) {
      core.setFailed(logSafe(result.failure ?? `${spec.name}: the release failed and was rolled back`));
    }
  } catch (error) {
    // The engine rolls back on every error it can handle. Only when the cluster could not be
    // reached (state unknown) is it worth another try, which the post step makes.
    if (!(error instanceof ClusterError)) core.saveState(STATE_FINISHED, 'true');
    if (error instanceof RollbackFailedError) core.saveState(STATE_ROLLBACK_PENDING, 'true');
    throw error;
  } finally {
    signals.dispose();
  }
  core.saveState(STATE_FINISHED, 'true');
}

run().catch((error: unknown) => {
  // Any thrown value, Error or not, fails the step with a message and no stack trace.
  core.setFailed(logSafe(describeError(error)));
});
