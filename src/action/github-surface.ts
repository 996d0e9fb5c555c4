// What the action shows and records on GitHub around one command: the job summary, the PR comment
// (on the event's PR or the commit's), the deployment in the environment, and the links the
// report's next step points to. Thin wiring of the GitHub adapters; loaded only once a spec is read.
import * as core from '@actions/core';
import type { Logger, ReportPort } from '../core/ports.ts';
import type { ReportLinks } from '../report/markdown.ts';
import { createJobSummary, createPullRequestComment, findPullRequestOfCommit, resolvePullRequest } from '../adapters/github.ts';
import { createDeploymentTracker, type DeploymentTracker } from '../adapters/github-deployments.ts';
import { readSecret } from './inputs.ts';
import { InputError } from '../errors.ts';
import { clip } from '../report/escape.ts';

type GitHub = typeof import('@actions/github');

export interface GitHubSurface {
  reports: ReportPort[];
  links: ReportLinks;
  deployment?: DeploymentTracker;
}

/** The workflow file (`release.yml`) of a workflow ref such as `o/r/.github/workflows/release.yml@refs/heads/main`. */
export function workflowFileOf(workflowRef: string | undefined): string | undefined {
  const path = workflowRef?.split('@')[0];
  const file = path?.split('/').at(-1);
  return file && /\.ya?ml$/.test(file) ? file : undefined;
}

/** Events a fork's pull request triggers with a read-only token. (`pull_request_target` and
 * `issue_comment` run in the base repository with its own token, which may write.) */
const READ_ONLY_FOR_FORKS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment']);

/** The `dispatch-workflow` input: a workflow file name (`canary-dispatch.yml`), or its path in the
 * repository, reduced to the name the dispatch form's URL takes. */
export function dispatchWorkflowInput(given: string): string | undefined {
  if (given.trim() === '') return undefined;
  const file = workflowFileOf(given.trim());
  if (file) return file;
  throw new InputError({ path: 'input dispatch-workflow', message: `expected the file name of a workflow in .github/workflows, such as canary-dispatch.yml, got ${JSON.stringify(clip(given, 80))}` });
}

/** A pull request from a fork runs with a read-only token: nothing can be written on GitHub. */
function fromFork({ eventName, payload }: GitHub['context']): boolean {
  if (!READ_ONLY_FOR_FORKS.has(eventName)) return false;
  const pr = payload.pull_request as { head?: { repo?: { full_name?: string; fork?: boolean } | null }; base?: { repo?: { full_name?: string } } } | undefined;
  const head = pr?.head?.repo;
  if (!pr || head === undefined) return false;
  return head === null || head.fork === true || (head.full_name !== undefined && head.full_name !== pr.base?.repo?.full_name);
}

export async function githubSurface(github: GitHub, options: { canary: string; version: string; runUrl: string; log: Logger }): Promise<GitHubSurface> {
  const { context } = github;
  const { owner, repo } = context.repo;
  const workflowFile = dispatchWorkflowInput(core.getInput('dispatch-workflow')) ?? workflowFileOf(process.env.GITHUB_WORKFLOW_REF);
  const links: ReportLinks = { runUrl: options.runUrl, ...(workflowFile ? { dispatch: { owner, repo, workflowFile, serverUrl: context.serverUrl } } : {}) };
  const surface: GitHubSurface = { reports: [createJobSummary({ summary: core.summary })], links };
  const token = readSecret('github-token');
  if (!token) return surface;
  if (fromFork(context)) {
    options.log.warning('This pull request comes from a fork: its token is read-only, so the PR comment and the deployment are skipped. The report is in the job summary.');
    return surface;
  }
  const octokit = github.getOctokit(token);
  const environment = core.getInput('environment');
  if (environment) {
    surface.deployment = createDeploymentTracker({ octokit, owner, repo, environment, sha: context.sha, canary: options.canary, version: options.version, runUrl: options.runUrl, log: options.log });
  }
  const pr = resolvePullRequest(context, core.getInput('pull-request') || undefined) ?? (context.sha ? await findPullRequestOfCommit({ octokit, owner, repo, sha: context.sha, log: options.log }) : undefined);
  if (pr !== undefined) {
    surface.reports.push(createPullRequestComment({ octokit, owner, repo, issueNumber: pr, marker: options.canary, log: options.log }));
  }
  return surface;
}
