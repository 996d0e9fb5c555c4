// A stand-in for the parts of GitHub's API that commit mode uses, on 127.0.0.1, backed by a real bare
// git repository (test/support/git-remote.ts). GraphQL requests are parsed, validated and executed
// against GitHub's published schema (npm @octokit/graphql-schema) with graphql-js, so a query GitHub
// would refuse is refused here and every answer has the schema's shape; REST requests and answers
// are checked against GitHub's OpenAPI description (test/support/github-openapi.ts). Anything outside
// them is recorded as a violation. createCommitOnBranch makes the commit in the bare repository and
// moves the branch with `git update-ref <new> <expected>`: a real compare-and-swap, answered with
// GitHub's STALE_DATA error when the branch is not at expectedHeadOid.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schema as githubSchema } from '@octokit/graphql-schema';
import { buildClientSchema, execute, getVariableValues, GraphQLError, parse, validate, type GraphQLSchema, type IntrospectionQuery, type OperationDefinitionNode } from 'graphql';
import { listenLocal } from './local-server.ts';
import { GitHubDescription } from './github-openapi.ts';

export const DOUBLE_OWNER = 'acme';
export const DOUBLE_REPO = 'shop-gitops';
/** Who createCommitOnBranch commits as with the workflow's token. */
export const BOT_AUTHOR = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

export interface CommitDouble {
  baseUrl: string;
  /** Every GraphQL operation and REST operation received, in order. */
  requests: Array<{ kind: 'graphql' | 'rest'; name: string; variables?: unknown }>;
  violations: string[];
  /** Commits made by createCommitOnBranch: GitHub signs them (verified). */
  verified: Set<string>;
  /** Runs `before` just before the next createCommitOnBranch is carried out (to push in between). */
  beforeNextCommit(before: () => void): void;
  close(): Promise<void>;
}

let schemaCache: GraphQLSchema | undefined;
let restCache: GitHubDescription | undefined;

/** `truncateTextOver`: blobs larger than this many bytes have their GraphQL text cut (isTruncated), as
 * GitHub does for large files, so a reader must fetch them over REST. */
export async function startCommitDouble(repository: string, branch: string, options: { truncateTextOver?: number } = {}): Promise<CommitDouble> {
  // The introspection result, not the SDL: the published schema.graphql (15.26.1) defines
  // EnterpriseOwnerInfo.repositoryDeployKeySetting twice, which graphql-js rightly refuses.
  schemaCache ??= buildClientSchema(githubSchema.json as unknown as IntrospectionQuery);
  restCache ??= GitHubDescription.load();
  const schema = schemaCache;
  const rest = restCache;
  const requests: CommitDouble['requests'] = [];
  const violations: string[] = [];
  const verified = new Set<string>();
  let hook: (() => void) | undefined;
  const git = (args: string[], input?: string | Buffer, env?: Record<string, string>) =>
    execFileSync('git', args, { cwd: repository, input, env: { ...process.env, LC_ALL: 'C', ...env }, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const gitOk = (args: string[]) => {
    try {
      return git(args);
    } catch {
      return undefined;
    }
  };

  // ---- the data behind GraphQL, resolved lazily from the bare repository ----
  const commitObject = (oid: string) => {
    const [headline = '', name = '', email = ''] = git(['log', '-1', '--format=%s%x00%an%x00%ae', oid]).trim().split('\0');
    return {
      __typename: 'Commit',
      oid,
      messageHeadline: headline,
      author: { name, email },
      history: ({ path, first }: { path?: string; first?: number }) => ({
        nodes: git(['log', `--max-count=${first ?? 100}`, '--format=%H', oid, ...(path ? ['--', path] : [])])
          .split('\n')
          .filter(Boolean)
          .map(commitObject),
      }),
    };
  };
  const gitObject = (spec: string) => {
    const type = gitOk(['cat-file', '-t', spec])?.trim();
    if (type === undefined) return null;
    const oid = git(['rev-parse', spec]).trim();
    if (type === 'commit') return commitObject(oid);
    if (type === 'blob') {
      const bytes = execFileSync('git', ['cat-file', 'blob', oid], { cwd: repository });
      const truncated = bytes.length > (options.truncateTextOver ?? Number.POSITIVE_INFINITY);
      const text = bytes.includes(0) ? null : (truncated ? bytes.subarray(0, options.truncateTextOver) : bytes).toString('utf8');
      return { __typename: 'Blob', oid, isBinary: bytes.includes(0), text, isTruncated: truncated };
    }
    return { __typename: type === 'tree' ? 'Tree' : 'Tag', oid };
  };
  const repositoryObject = {
    ref: ({ qualifiedName }: { qualifiedName: string }) => {
      const oid = gitOk(['rev-parse', '--verify', `${qualifiedName}^{commit}`])?.trim();
      return oid === undefined ? null : { name: qualifiedName.replace(/^refs\/heads\//, ''), target: commitObject(oid) };
    },
    object: ({ expression, oid }: { expression?: string; oid?: string }) => gitObject(oid ?? expression ?? ''),
  };
  const root = {
    repository: ({ owner, name }: { owner: string; name: string }) => (owner === DOUBLE_OWNER && name === DOUBLE_REPO ? repositoryObject : null),
    createCommitOnBranch: ({ input }: { input: CreateCommitInput }) => createCommit(input),
  };

  interface CreateCommitInput {
    branch: { repositoryNameWithOwner?: string; branchName?: string; id?: string };
    expectedHeadOid: string;
    message: { headline: string; body?: string };
    fileChanges?: { additions?: Array<{ path: string; contents: string }>; deletions?: Array<{ path: string }> };
  }

  function createCommit(input: CreateCommitInput) {
    if (input.branch.repositoryNameWithOwner !== `${DOUBLE_OWNER}/${DOUBLE_REPO}` || input.branch.branchName !== branch) {
      throw new GraphQLError(`Could not resolve to a Branch with the name '${input.branch.branchName}'.`, { extensions: { type: 'NOT_FOUND' } });
    }
    hook?.();
    hook = undefined;
    const head = git(['rev-parse', `refs/heads/${branch}`]).trim();
    if (head !== input.expectedHeadOid) {
      throw new GraphQLError(`Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`, { extensions: { type: 'STALE_DATA' } });
    }
    const indexDir = mkdtempSync(join(tmpdir(), 'commit-double-'));
    const index = { GIT_INDEX_FILE: join(indexDir, 'index') };
    try {
      git(['read-tree', head], undefined, index);
      for (const addition of input.fileChanges?.additions ?? []) {
        const bytes = Buffer.from(addition.contents, 'base64');
        if (bytes.toString('base64') !== addition.contents) throw new GraphQLError(`contents of ${addition.path} is not Base64`, { extensions: { type: 'UNPROCESSABLE' } });
        const blob = git(['hash-object', '-w', '--stdin'], bytes).trim();
        git(['update-index', '--add', '--cacheinfo', `100644,${blob},${addition.path}`], undefined, index);
      }
      for (const deletion of input.fileChanges?.deletions ?? []) git(['update-index', '--force-remove', '--', deletion.path], undefined, index);
      const tree = git(['write-tree'], undefined, index).trim();
      const message = input.message.body ? `${input.message.headline}\n\n${input.message.body}\n` : `${input.message.headline}\n`;
      const identity = { GIT_AUTHOR_NAME: BOT_AUTHOR.name, GIT_AUTHOR_EMAIL: BOT_AUTHOR.email, GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com' };
      const oid = git(['commit-tree', tree, '-p', head, '-F', '-'], message, identity).trim();
      try {
        git(['update-ref', `refs/heads/${branch}`, oid, head]);
      } catch {
        throw new GraphQLError(`Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`, { extensions: { type: 'STALE_DATA' } });
      }
      verified.add(oid);
      return { commit: commitObject(oid) };
    } finally {
      rmSync(indexDir, { recursive: true, force: true });
    }
  }

  // ---- HTTP ----
  const { server, baseUrl } = await listenLocal((req, res) => handle(req, res), violations);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', baseUrl);
    if (!/^(?:token|bearer) \S+$/i.test(req.headers.authorization ?? '')) violations.push(`${req.method} ${url.pathname}: no token`);
    if (req.method === 'POST' && url.pathname === '/graphql') return graphql(text, res);
    return restCall(req.method ?? 'GET', url, res);
  }

  function graphql(text: string, res: ServerResponse): void {
    const body = JSON.parse(text) as { query: string; variables?: Record<string, unknown> };
    let document: ReturnType<typeof parse>;
    try {
      document = parse(body.query);
    } catch (error) {
      violations.push(`GraphQL syntax: ${(error as Error).message}`);
      return json(res, 200, { errors: [{ message: (error as Error).message }] });
    }
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    const name = operation?.selectionSet.selections.map((s) => (s.kind === 'Field' ? s.name.value : '?')).join(',') ?? '?';
    requests.push({ kind: 'graphql', name, variables: body.variables });
    const problems = validate(schema, document);
    const coerced = operation ? getVariableValues(schema, operation.variableDefinitions ?? [], body.variables ?? {}) : { errors: [] };
    const all = [...problems, ...(coerced.errors ?? [])];
    if (all.length > 0) {
      violations.push(...all.map((e) => `GraphQL ${name}: ${e.message}`));
      return json(res, 200, { errors: all.map((e) => ({ message: e.message })) });
    }
    const result = execute({ schema, document, rootValue: root, variableValues: body.variables ?? {} }) as { data?: unknown; errors?: readonly GraphQLError[] };
    // GitHub puts an error's type beside its message (e.g. STALE_DATA), not under extensions.
    const errors = result.errors?.map((e) => ({ type: e.extensions?.['type'] ?? 'INTERNAL', path: e.path, message: e.message }));
    json(res, 200, { data: result.data ?? null, ...(errors ? { errors } : {}) });
  }

  function restCall(method: string, url: URL, res: ServerResponse): void {
    const op = rest.match(method, url.pathname);
    if (!op) {
      violations.push(`${method} ${url.pathname} is not an operation of the GitHub REST API`);
      return json(res, 404, { message: 'Not Found' });
    }
    requests.push({ kind: 'rest', name: op.operationId });
    violations.push(...op.checkRequest(url.searchParams, undefined).map((p) => `${op.operationId}: ${p}`));
    if (op.pathParams.owner !== DOUBLE_OWNER || op.pathParams.repo !== DOUBLE_REPO) return json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const answer = (status: number, payload: unknown) => {
      violations.push(...op.checkResponse(status, payload).map((p) => `${op.operationId}: ${p}`));
      json(res, status, payload);
    };
    const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };
    switch (op.operationId) {
      // GitHub describes the compare API under two paths: {basehead} and {base}...{head}.
      case 'repos/compare-commits':
      case 'repos/compare-commits-with-basehead': {
        const [base = '', head = ''] = op.pathParams['basehead']?.split('...') ?? [op.pathParams['base'] ?? '', op.pathParams['head'] ?? ''];
        if (gitOk(['cat-file', '-e', `${base}^{commit}`]) === undefined || gitOk(['cat-file', '-e', `${head}^{commit}`]) === undefined) return answer(404, notFound);
        const ahead = Number(git(['rev-list', '--count', `${base}..${head}`]).trim());
        const behind = Number(git(['rev-list', '--count', `${head}..${base}`]).trim());
        const status = ahead === 0 && behind === 0 ? 'identical' : behind === 0 ? 'ahead' : ahead === 0 ? 'behind' : 'diverged';
        const example = rest.example('commit-comparison');
        return answer(200, { ...example, status, ahead_by: ahead, behind_by: behind, total_commits: ahead, commits: [], files: [] });
      }
      case 'git/get-blob': {
        const sha = op.pathParams['file_sha'] ?? '';
        if (gitOk(['cat-file', '-t', sha])?.trim() !== 'blob') return answer(404, notFound);
        const bytes = execFileSync('git', ['cat-file', 'blob', sha], { cwd: repository });
        return answer(200, { ...rest.example('blob'), sha, size: bytes.length, content: bytes.toString('base64'), encoding: 'base64', node_id: `B_${sha}`, url: `${baseUrl}/repos/${DOUBLE_OWNER}/${DOUBLE_REPO}/git/blobs/${sha}` });
      }
      default:
        violations.push(`${op.operationId} is not served by the commit double`);
        return json(res, 404, notFound);
    }
  }

  return {
    baseUrl,
    requests,
    violations,
    verified,
    beforeNextCommit: (before) => {
      hook = before;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
