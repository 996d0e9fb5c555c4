// Commit mode on GitHub without local credentials: the branch read and moved through GitHub's API.
// A commit is made by the GraphQL mutation createCommitOnBranch with expectedHeadOid, so GitHub
// signs it (a verified commit with the workflow's token or an App's) and moves the branch only if
// it is still at the commit we planned on: a stale head is a lost race, answered by re-planning.
// Files and history are read with GraphQL; a blob too large for GraphQL's text, and ancestry, with
// REST. Permissions: `contents: write`.
import type { getOctokit } from '@actions/github';
import { CanaryError } from '../errors.ts';
import { isRepositoryPath, type BranchStore, type CommitOutcome, type FileChange, type ForeignCommit } from '../gitops/branch-store.ts';
import type { CommitMessage } from '../gitops/commit-message.ts';

type Octokit = ReturnType<typeof getOctokit>;

/** GitHub refused or failed a request for a reason other than a lost race. */
export class GitHubCommitError extends CanaryError {
  override readonly exitCode = 3;
}

export interface GitHubBranchOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  branch: string;
}

const HEAD_QUERY = `query($owner: String!, $name: String!, $ref: String!) {
  repository(owner: $owner, name: $name) { ref(qualifiedName: $ref) { target { oid } } }
}`;

const FILE_QUERY = `query($owner: String!, $name: String!, $expression: String!) {
  repository(owner: $owner, name: $name) {
    object(expression: $expression) { __typename ... on Blob { oid text isBinary isTruncated } }
  }
}`;

const HISTORY_QUERY = `query($owner: String!, $name: String!, $oid: GitObjectID!, $path: String!) {
  repository(owner: $owner, name: $name) {
    object(oid: $oid) { ... on Commit { history(path: $path, first: 50) { nodes { oid messageHeadline author { name email } } } } }
  }
}`;

const CREATE_COMMIT = `mutation($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid } }
}`;

interface GraphQlFailure {
  errors?: Array<{ type?: string; message?: string }>;
  message?: string;
}

export class GitHubBranchStore implements BranchStore {
  readonly description: string;
  readonly #o: GitHubBranchOptions;

  constructor(options: GitHubBranchOptions) {
    this.#o = options;
    this.description = `branch ${options.branch} of github.com/${options.owner}/${options.repo}`;
  }

  async head(): Promise<string> {
    const data = await this.#graphql<{ repository: { ref: { target: { oid: string } } | null } | null }>(HEAD_QUERY, { ref: `refs/heads/${this.#o.branch}` }, 'read the branch head');
    if (!data.repository) throw new GitHubCommitError(`${this.description}: the repository does not exist or the token cannot read it`);
    if (!data.repository.ref) throw new GitHubCommitError(`${this.description}: the branch does not exist`);
    return data.repository.ref.target.oid;
  }

  async readFile(oid: string, path: string): Promise<string | undefined> {
    assertPath(path);
    type Answer = { repository: { object: { __typename: string; oid?: string; text?: string | null; isBinary?: boolean | null; isTruncated?: boolean } | null } | null };
    const data = await this.#graphql<Answer>(FILE_QUERY, { expression: `${oid}:${path}` }, `read ${path}`);
    const object = data.repository?.object;
    if (object?.__typename !== 'Blob') return undefined;
    if (object.isBinary === true) throw new GitHubCommitError(`${this.description}: ${path} is a binary file, not a manifest`);
    if (object.isTruncated !== true && typeof object.text === 'string') return object.text;
    // GraphQL truncates large blobs' text: the REST blob has all of it.
    const blob = await this.#rest(() => this.#o.octokit.rest.git.getBlob({ owner: this.#o.owner, repo: this.#o.repo, file_sha: object.oid! }), `read ${path}`);
    return Buffer.from(blob.data.content, 'base64').toString('utf8');
  }

  async commit(parent: string, changes: FileChange[], message: CommitMessage): Promise<CommitOutcome> {
    for (const change of changes) assertPath(change.path);
    const input = {
      branch: { repositoryNameWithOwner: `${this.#o.owner}/${this.#o.repo}`, branchName: this.#o.branch },
      expectedHeadOid: parent,
      message: { headline: message.headline, body: message.body },
      fileChanges: { additions: changes.map((c) => ({ path: c.path, contents: Buffer.from(c.contents, 'utf8').toString('base64') })) },
    };
    try {
      const data = (await this.#o.octokit.graphql(CREATE_COMMIT, { input })) as { createCommitOnBranch: { commit: { oid: string } | null } | null };
      const oid = data.createCommitOnBranch?.commit?.oid;
      if (!oid) throw new GitHubCommitError(`${this.description}: GitHub made no commit and gave no reason`);
      return { kind: 'pushed', oid };
    } catch (error) {
      if (isStaleHead(error)) return { kind: 'lost-race' };
      throw this.#failure(error, 'commit');
    }
  }

  async contains(descendant: string, ancestor: string): Promise<boolean> {
    if (descendant === ancestor) return true;
    if (!/^[0-9a-f]{40}$/.test(descendant) || !/^[0-9a-f]{40}$/.test(ancestor)) return false;
    try {
      const { data } = await this.#o.octokit.rest.repos.compareCommitsWithBasehead({ owner: this.#o.owner, repo: this.#o.repo, basehead: `${ancestor}...${descendant}`, per_page: 1 });
      return data.status === 'ahead' || data.status === 'identical';
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw this.#failure(error, 'compare commits');
    }
  }

  async commitsTouching(base: string, head: string, paths: string[]): Promise<ForeignCommit[]> {
    const found = new Map<string, ForeignCommit>();
    for (const path of paths) {
      assertPath(path);
      type Answer = { repository: { object: { history?: { nodes: Array<{ oid: string; messageHeadline: string; author: { name: string | null; email: string | null } | null }> } } | null } | null };
      const data = await this.#graphql<Answer>(HISTORY_QUERY, { oid: head, path }, `read the history of ${path}`);
      for (const node of data.repository?.object?.history?.nodes ?? []) {
        if (node.oid === base || (await this.contains(base, node.oid))) break;
        found.set(node.oid, { oid: node.oid, author: `${node.author?.name ?? ''} <${node.author?.email ?? ''}>`, subject: node.messageHeadline });
      }
    }
    return [...found.values()];
  }

  async #graphql<T>(query: string, variables: Record<string, unknown>, what: string): Promise<T> {
    try {
      return (await this.#o.octokit.graphql(query, { owner: this.#o.owner, name: this.#o.repo, ...variables })) as T;
    } catch (error) {
      throw this.#failure(error, what);
    }
  }

  async #rest<T>(call: () => Promise<T>, what: string): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.#failure(error, what);
    }
  }

  #failure(error: unknown, what: string): GitHubCommitError {
    const status = (error as { status?: number }).status;
    const errors = (error as GraphQlFailure).errors;
    const reason = errors?.map((e) => e.message).join('; ') ?? (error instanceof Error ? error.message : String(error));
    const hint = status === 401 || status === 403 || errors?.some((e) => e.type === 'FORBIDDEN') ? ' (the token needs contents: write on the repository)' : '';
    return new GitHubCommitError(`${this.description}: could not ${what}: ${reason}${hint}`, { cause: error });
  }
}

/** createCommitOnBranch's answer when the branch is not at expectedHeadOid. */
function isStaleHead(error: unknown): boolean {
  const errors = (error as GraphQlFailure).errors ?? [];
  return errors.some((e) => e.type === 'STALE_DATA' || /Expected branch to point to/i.test(e.message ?? ''));
}

function assertPath(path: string): void {
  if (!isRepositoryPath(path)) throw new GitHubCommitError(`${JSON.stringify(path)} is not a path inside the repository`);
}
