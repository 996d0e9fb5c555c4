// GitHub as a place to show the report: one upserted PR comment per canary, and the job summary.
// Permissions needed: `pull-requests: write` (or `issues: write`) for the comment; nothing for the
// job summary. Without them (e.g. a pull request from a fork) the comment is skipped with a warning.
import { safeLogger } from './log-safe.ts';
import type { summary as coreSummary } from '@actions/core';
import type { context as actionContext, getOctokit } from '@actions/github';
import type { Logger, ReportPort } from '../core/ports.ts';
import { CanaryError, InputError, describeError } from '../errors.ts';
import { clip } from '../report/escape.ts';
import { GITHUB_COMMENT_LIMIT } from '../report/markdown.ts';

export type Octokit = ReturnType<typeof getOctokit>;

export interface PullRequestCommentOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  issueNumber: number;
  /** The canary's name: identifies its comment through a hidden HTML comment at the top. */
  marker: string;
  /** Login that writes our comments. Default: any bot account (the GITHUB_TOKEN writes as
   * `github-actions[bot]`), or the token's own user for a personal access token. Comments by anyone
   * else are never edited, even if they contain our marker. */
  author?: string;
  log?: Logger;
}

/** `<!-- istio-canary:<name> -->`, with every character that could end or confuse the HTML comment
 * percent-encoded, so two canaries never share a marker and no name can break out of it. */
export function commentMarker(canaryName: string): string {
  const safe = Array.from(new TextEncoder().encode(canaryName), (byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9._-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  // `--` is kept out too: some HTML parsers end or reject a comment at `--`.
  return `<!-- istio-canary:${safe.replace(/--/g, '-%2D')} -->`;
}

interface CommentSummary {
  id: number;
  body?: string;
  user: { login: string; type: string } | null;
}

export function createPullRequestComment(options: PullRequestCommentOptions): ReportPort {
  const { octokit, owner, repo, issueNumber } = options;
  const marker = commentMarker(options.marker);
  const where = `${owner}/${repo}#${issueNumber}`;
  const log = options.log ?? consoleLogger;
  const marked = (comment: CommentSummary): boolean => (comment.body ?? '').startsWith(`${marker}\n`) && comment.user !== null;
  const isOurs = (comment: CommentSummary): boolean =>
    marked(comment) && (options.author !== undefined ? comment.user!.login === options.author : comment.user!.type === 'Bot');

  /** The login of a personal access token; null for the workflow's token (GitHub answers 403). */
  let tokenLogin: string | null | undefined;
  async function whoAmI(): Promise<string | null> {
    if (tokenLogin === undefined) {
      tokenLogin = await octokit.rest.users.getAuthenticated().then(
        ({ data }) => data.login,
        () => null,
      );
    }
    return tokenLogin;
  }

  async function findOurs(): Promise<{ id: number } | undefined> {
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 });
    const byPeople: CommentSummary[] = [];
    for await (const page of pages) {
      const found = page.data.find(isOurs);
      if (found) return found;
      byPeople.push(...page.data.filter(marked));
    }
    // Our marker on a person's comment: ours only if the token is that person's (a personal token).
    if (byPeople.length === 0 || options.author !== undefined) return undefined;
    const login = await whoAmI();
    return byPeople.find((c) => c.user!.login === login);
  }

  // The comment this process wrote: later publishes (one per stage) update it without searching.
  let ownId: number | undefined;

  // Set once GitHub refused: later publishes (one per stage) neither ask again nor warn again.
  let refused = false;
  return {
    async publish(markdown) {
      if (refused) return;
      const body = clip(`${marker}\n${markdown}`, GITHUB_COMMENT_LIMIT);
      try {
        const ours = ownId !== undefined ? { id: ownId } : await findOurs();
        if (ours) await octokit.rest.issues.updateComment({ owner, repo, comment_id: ours.id, body });
        else ownId = (await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body })).data.id;
        ownId ??= ours?.id;
      } catch (e) {
        const status = (e as { status?: unknown }).status;
        if (status === 403 || status === 404) {
          refused = true;
          log.warning(`Could not write the canary report comment on ${where} (HTTP ${status}): the token needs \`pull-requests: write\`; pull requests from forks get a read-only token. The report is still in the job summary.`);
          return;
        }
        throw new CanaryError(`Could not write the canary report comment on ${where}: ${describeError(e)}`, { cause: e });
      }
    },
  };
}

export type CoreSummary = typeof coreSummary;

/** The job summary of this step, replaced on every publish (it shows the latest state only). */
export function createJobSummary(core: { summary: CoreSummary }): ReportPort {
  return {
    async publish(markdown) {
      await core.summary.emptyBuffer().addRaw(markdown, true).write({ overwrite: true });
    },
  };
}

/** The pull request to comment on: the event's own PR, or for a manual run the `pull-request`
 * input (or the explicit value passed); undefined for pushes and other events. */
export function resolvePullRequest(context: Pick<typeof actionContext, 'eventName' | 'payload'>, explicit?: string): number | undefined {
  if (explicit !== undefined && explicit.trim() !== '') return parsePullRequestNumber(explicit, 'input pull-request');
  const { eventName, payload } = context;
  if ((eventName === 'pull_request' || eventName === 'pull_request_target' || eventName === 'pull_request_review') && payload.pull_request) {
    return payload.pull_request.number;
  }
  if (eventName === 'issue_comment' && payload.issue?.pull_request) return payload.issue.number;
  if (eventName === 'workflow_dispatch') {
    const input: unknown = (payload.inputs as Record<string, unknown> | undefined)?.['pull-request'];
    if (typeof input === 'string' && input.trim() !== '') return parsePullRequestNumber(input, 'workflow_dispatch input pull-request');
  }
  return undefined;
}

function parsePullRequestNumber(text: string, path: string): number {
  const trimmed = text.trim().replace(/^#/, '');
  if (!/^[1-9][0-9]{0,9}$/.test(trimmed)) {
    throw new InputError({ path, message: `expected a pull request number such as 42, got ${JSON.stringify(clip(text, 40))}` });
  }
  return Number(trimmed);
}

/** When no logger is given: the console, with every line made log-safe like every other logger's. */
const consoleLogger: Logger = safeLogger({
  info: (m) => console.log(m),
  warning: (m) => console.warn(m),
  error: (m) => console.error(m),
});

/** The pull request a commit belongs to, for events that name none (a push after a merge, a
 * dispatch, a schedule): an open PR whose head is this commit, else the PR merged as this commit,
 * else the first one GitHub associates with it. Undefined when there is none or it cannot be read. */
export async function findPullRequestOfCommit(options: { octokit: Octokit; owner: string; repo: string; sha: string; log?: Logger }): Promise<number | undefined> {
  const { octokit, owner, repo, sha } = options;
  try {
    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha, per_page: 100 });
    const pick = data.find((pr) => pr.state === 'open' && pr.head.sha === sha) ?? data.find((pr) => pr.merge_commit_sha === sha) ?? data[0];
    return pick?.number;
  } catch (e) {
    (options.log ?? consoleLogger).warning(`Could not look up the pull request of commit ${sha.slice(0, 12)} in ${owner}/${repo}: ${describeError(e)}. The report is still in the job summary.`);
    return undefined;
  }
}
