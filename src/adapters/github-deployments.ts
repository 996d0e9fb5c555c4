// The release in GitHub's Environments view: one deployment per released version, whose statuses
// follow the release: in_progress while it bakes or waits, success when promoted, failure when a
// gate rolled it back, inactive when someone aborted it. Later commands (advance, promote, abort)
// find the same deployment again, so each version has one history. Needs `deployments: write`;
// without it the adapter warns and the release goes on.
import type { Logger } from '../core/ports.ts';
import type { RolloutStatus } from '../core/state.ts';
import { describeError } from '../errors.ts';
import { clip } from '../report/escape.ts';
import type { Octokit } from './github.ts';

/** Marks our deployments among others of the environment (GitHub's `task`, e.g. `deploy:migrations`). */
export const DEPLOYMENT_TASK = 'deploy:istio-canary';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive' | 'error';

export interface DeploymentOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  environment: string;
  /** The commit this run is on (GITHUB_SHA). */
  sha: string;
  canary: string;
  /** The released version: the canary subset. */
  version: string;
  /** The run, shown as the deployment's log. */
  runUrl?: string;
  log: Logger;
}

export interface DeploymentTracker {
  /** Records where the release is now; never throws (a failure is a warning). Without an open
   * deployment of this version it creates one. With `create` false it records only on a deployment
   * still open now (re-read: another run may have ended it meanwhile, e.g. an abort), and opens none. */
  record(state: DeploymentState, description: string, create?: boolean): Promise<void>;
  /** Whether this tracker opened the deployment it records on (rather than finding one open). */
  readonly opened: boolean;
}

/** in_progress until the release ends; promoted is success, a gate's rollback failure, an abort inactive. */
export function deploymentStateOf(status: RolloutStatus, command: string): DeploymentState {
  if (status === 'promoted') return 'success';
  if (status === 'rolled-back') return command === 'abort' ? 'inactive' : 'failure';
  return 'in_progress';
}

const TERMINAL = new Set(['success', 'failure', 'inactive', 'error']);

interface Payload {
  canary?: unknown;
  version?: unknown;
}

export function createDeploymentTracker(options: DeploymentOptions): DeploymentTracker {
  const { octokit, owner, repo, environment, log } = options;
  let id: number | undefined;
  // Set once the token was refused (403/404): the release goes on without asking again or warning again.
  let refused = false;

  /** This canary's deployments in the environment, newest first (`version` given: of that version only). */
  async function canaryDeployments(version?: string): Promise<number[]> {
    const { data } = await octokit.rest.repos.listDeployments({ owner, repo, environment, task: DEPLOYMENT_TASK, per_page: 30 });
    return data
      .filter((d) => {
        const payload = (typeof d.payload === 'object' ? d.payload : {}) as Payload;
        return payload.canary === options.canary && (version === undefined || payload.version === version);
      })
      .map((d) => d.id);
  }

  async function lastState(deploymentId: number): Promise<string | undefined> {
    const { data } = await octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: deploymentId, per_page: 1 });
    return data[0]?.state;
  }

  /** The newest deployment of this version that has not ended, if any; with `active`, also one that
   * ended in success (a promoted version stays active until something replaces or undoes it). */
  async function findOpen(active = false): Promise<number | undefined> {
    const [newest] = await canaryDeployments(options.version);
    if (newest === undefined) return undefined;
    const last = await lastState(newest);
    if (last === undefined || !TERMINAL.has(last)) return newest;
    return active && last === 'success' ? newest : undefined;
  }

  /** Once a version is promoted, the versions this canary promoted before are no longer live. Done
   * here rather than by GitHub's auto_inactive, which skips production environments and would also
   * retire other services' deployments sharing the environment. */
  async function retirePrevious(promoted: number): Promise<void> {
    for (const other of await canaryDeployments()) {
      if (other === promoted || (await lastState(other)) !== 'success') continue;
      await octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: other, state: 'inactive', description: clip(`${options.canary}: replaced by ${options.version}`, 140), environment, auto_inactive: false });
    }
  }

  async function create(): Promise<number> {
    const { data, status } = await octokit.rest.repos.createDeployment({
      owner,
      repo,
      ref: options.sha,
      task: DEPLOYMENT_TASK,
      environment,
      payload: { canary: options.canary, version: options.version },
      description: clip(`${options.canary}: release of ${options.version}`, 140),
      // The release is judged by its own gates; the commit's checks are not a precondition here.
      required_contexts: [],
      auto_merge: false,
    });
    if (status !== 201 || !('id' in data)) throw new Error(`GitHub did not create the deployment (HTTP ${status})`);
    return data.id;
  }

  let opened = false;
  const open = async (): Promise<number> => {
    const created = await create();
    opened = true;
    return created;
  };
  return {
    get opened() {
      return opened;
    },
    async record(state, description, mayCreate = true) {
      if (refused) return;
      try {
        // An abort that undoes a promoted version ends its deployment too: it is no longer live.
        id = mayCreate ? (id ?? (await findOpen()) ?? (await open())) : await findOpen(state === 'inactive');
        if (id === undefined) return;
        await octokit.rest.repos.createDeploymentStatus({
          owner,
          repo,
          deployment_id: id,
          state,
          description: clip(description, 140),
          ...(options.runUrl ? { log_url: options.runUrl } : {}),
          environment,
          auto_inactive: false,
        });
        if (state === 'success') await retirePrevious(id);
      } catch (e) {
        const status = (e as { status?: unknown }).status;
        refused = status === 403 || status === 404;
        const hint = refused ? ': the token needs `deployments: write` (a fork\'s token is read-only)' : '';
        log.warning(`Could not record the deployment of ${options.version} in environment ${environment} (${describeError(e)})${hint}. The release goes on.`);
      }
    },
  };
}
