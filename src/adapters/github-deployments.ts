// The release in GitHub's Environments view: one deployment per released version, whose statuses
// follow the release: in_progress while it bakes or waits, success when promoted, failure when a
// gate rolled it back, inactive when someone aborted it. Later commands (advance, promote, abort)
// find the same deployment again, so each version has one history. Needs `deployments: write`;
// without it the adapter warns and the release goes on.
import type { Logger } from '../engine/ports.ts';
import type { RolloutStatus } from '../engine/state.ts';
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

  /** The newest deployment of this version that has not ended, if any; with `active`, also one that
   * ended in success (a promoted version stays active until something replaces or undoes it). */
  async function findOpen(active = false): Promise<number | undefined> {
    const { data } = await octokit.rest.repos.listDeployments({ owner, repo, environment, task: DEPLOYMENT_TASK, per_page: 30 });
    const ours = data.find((d) => {
      const payload = (typeof d.payload === 'object' ? d.payload : {}) as Payload;
      return payload.canary === options.canary && payload.version === options.version;
    });
    if (!ours) return undefined;
    const { data: statuses } = await octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: ours.id, per_page: 1 });
    const last = statuses[0]?.state;
    if (last === undefined || !TERMINAL.has(last)) return ours.id;
    return active && last === 'success' ? ours.id : undefined;
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
          // A promoted version supersedes the ones before it in this environment.
          auto_inactive: state === 'success',
        });
      } catch (e) {
        const status = (e as { status?: unknown }).status;
        refused = status === 403 || status === 404;
        const hint = refused ? ': the token needs `deployments: write` (a fork\'s token is read-only)' : '';
        log.warning(`Could not record the deployment of ${options.version} in environment ${environment} (${describeError(e)})${hint}. The release goes on.`);
      }
    },
  };
}
