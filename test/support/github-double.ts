// A stand-in for GitHub's REST API on 127.0.0.1: it serves the issue-comment endpoints the report
// adapter uses, and checks every request it receives and every response it sends against GitHub's
// official OpenAPI description. Anything outside the description is recorded as a violation and
// answered with an error, so a test that asserts `violations` is empty fails on it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal } from './local-server.ts';
import { GitHubDescription, type MatchedOperation } from './github-openapi.ts';

export interface DoubleUser {
  login: string;
  type: 'User' | 'Bot';
}

export interface StoredComment {
  id: number;
  issueNumber: number;
  body: string;
  user: DoubleUser;
  createdAt: string;
  updatedAt: string;
}

export interface RecordedRequest {
  operationId: string;
  method: string;
  path: string;
  body?: unknown;
}

export interface StoredDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  payload: unknown;
  description: string | null;
  /** GitHub's default: true for the environment named `production`. */
  productionEnvironment: boolean;
  transientEnvironment: boolean;
  statuses: Array<{ id: number; state: string; description: string; logUrl?: string; environment?: string }>;
}

export interface GitHubDouble {
  baseUrl: string;
  comments: StoredComment[];
  deployments: StoredDeployment[];
  requests: RecordedRequest[];
  /** Requests or responses that do not match GitHub's description. */
  violations: string[];
  /** Adds a comment written by someone (default: a person), as if it already existed. */
  seedComment(issueNumber: number, body: string, user?: DoubleUser): StoredComment;
  /** Says that pull request `number` contains commit `sha` (for the commit's pulls endpoint). */
  associatePullRequest(sha: string, number: number, options?: { state?: 'open' | 'closed'; merged?: boolean }): void;
  /** Answers every later request for `operationId` with this HTTP status. */
  failOperation(operationId: string, status: number): void;
  /** Whose token the requests carry (default the workflow's GITHUB_TOKEN, writing as a bot; a
   * person for a personal access token): the author of the comments created. */
  useTokenOf(user: DoubleUser): void;
  close(): Promise<void>;
}

const OWNER = 'acme';
const REPO = 'shop';
/** The identity the token writes as: the GITHUB_TOKEN's. */
export const BOT: DoubleUser = { login: 'github-actions[bot]', type: 'Bot' };
const PERSON: DoubleUser = { login: 'octocat', type: 'User' };

let description: GitHubDescription | undefined;

export async function startGitHubDouble(): Promise<GitHubDouble> {
  description ??= GitHubDescription.load();
  const spec = description;
  const comments: StoredComment[] = [];
  const deployments: StoredDeployment[] = [];
  let tokenUser: DoubleUser = BOT;
  const pullsByCommit = new Map<string, Array<{ number: number; state: 'open' | 'closed'; merged: boolean }>>();
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const failures = new Map<string, number>();
  let nextId = 1000;
  let clock = Date.parse('2026-01-01T00:00:00Z');

  const { server, baseUrl } = await listenLocal((req, res) => handle(req, res), violations);

  function seedComment(issueNumber: number, body: string, user: DoubleUser = PERSON): StoredComment {
    const at = new Date((clock += 1000)).toISOString().replace('.000', '');
    const comment = { id: nextId++, issueNumber, body, user, createdAt: at, updatedAt: at };
    comments.push(comment);
    return comment;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    const op = spec.match(method, url.pathname);
    if (!op) {
      violations.push(`${method} ${url.pathname} is not an operation of the GitHub REST API`);
      return send(res, undefined, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    }
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      violations.push(`${op.operationId}: request body is not JSON`);
    }
    requests.push({ operationId: op.operationId, method, path: url.pathname + url.search, ...(body !== undefined ? { body } : {}) });
    const problems = op.checkRequest(url.searchParams, body);
    violations.push(...problems.map((p) => `${op.operationId}: ${p}`));
    if (problems.length > 0) return send(res, op, 422, { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest', errors: problems.map((p) => ({ resource: 'double', code: 'invalid', message: p })) });
    const failure = failures.get(op.operationId);
    // Any endpoint answers 403 "Resource not accessible by integration" to a token without the
    // permission (GitHub documents this for all of the API, not per operation): not checked per operation.
    if (failure !== undefined) return send(res, failure === 403 ? undefined : op, failure, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: String(failure) });
    if (op.operationId === 'users/get-authenticated') {
      // An installation token (GITHUB_TOKEN) has no user: GitHub answers 403.
      if (tokenUser.type === 'Bot') return send(res, op, 403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user', status: '403' });
      return send(res, op, 200, { ...spec.example('private-user'), ...userToApi(tokenUser) });
    }
    if (op.pathParams.owner !== OWNER || op.pathParams.repo !== REPO) return send(res, op, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    serve(op, url, body as Record<string, unknown> | undefined, res);
  }

  function serve(op: MatchedOperation, url: URL, body: Record<string, unknown> | undefined, res: ServerResponse): void {
    if (serveDeployments(op, url, body, res)) return;
    switch (op.operationId) {
      case 'repos/list-pull-requests-associated-with-commit': {
        const pulls = pullsByCommit.get(op.pathParams.commit_sha ?? '') ?? [];
        return send(res, op, 200, pulls.map((p) => pullToApi(p, op.pathParams.commit_sha!)));
      }
      case 'issues/list-comments': {
        const issueNumber = Number(op.pathParams.issue_number);
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
        const page = Number(url.searchParams.get('page') ?? 1);
        const all = comments.filter((c) => c.issueNumber === issueNumber);
        const lastPage = Math.max(1, Math.ceil(all.length / perPage));
        const headers: Record<string, string> = {};
        if (page < lastPage) {
          const link = (p: number) => `<${baseUrl}${url.pathname}?per_page=${perPage}&page=${p}>`;
          headers.link = `${link(page + 1)}; rel="next", ${link(lastPage)}; rel="last"`;
        }
        return send(res, op, 200, all.slice((page - 1) * perPage, page * perPage).map(toApi), headers);
      }
      case 'issues/create-comment': {
        const comment = seedComment(Number(op.pathParams.issue_number), String(body?.body ?? ''), tokenUser);
        return send(res, op, 201, toApi(comment), { location: `${baseUrl}/repos/${OWNER}/${REPO}/issues/comments/${comment.id}` });
      }
      case 'issues/update-comment': {
        const comment = comments.find((c) => c.id === Number(op.pathParams.comment_id));
        if (!comment) return send(res, undefined, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
        comment.body = String(body?.body ?? '');
        comment.updatedAt = new Date((clock += 1000)).toISOString().replace('.000', '');
        return send(res, op, 200, toApi(comment));
      }
      default:
        violations.push(`${op.operationId} is a GitHub operation the double does not serve (is the adapter calling something new?)`);
        return send(res, undefined, 501, { message: 'Not served by the double' });
    }
  }

  /** The deployment endpoints; false when `op` is not one of them. */
  function serveDeployments(op: MatchedOperation, url: URL, body: Record<string, unknown> | undefined, res: ServerResponse): boolean {
    switch (op.operationId) {
      case 'repos/create-deployment': {
        const deployment: StoredDeployment = {
          id: nextId++,
          sha: String(body?.ref),
          ref: String(body?.ref),
          task: String(body?.task ?? 'deploy'),
          environment: String(body?.environment ?? 'production'),
          payload: body?.payload ?? {},
          description: typeof body?.description === 'string' ? body.description : null,
          productionEnvironment: typeof body?.production_environment === 'boolean' ? body.production_environment : String(body?.environment ?? 'production') === 'production',
          transientEnvironment: body?.transient_environment === true,
          statuses: [],
        };
        deployments.push(deployment);
        send(res, op, 201, deploymentToApi(deployment));
        return true;
      }
      case 'repos/list-deployments': {
        const q = url.searchParams;
        const found = deployments
          .filter((d) => (!q.get('environment') || d.environment === q.get('environment')) && (!q.get('task') || d.task === q.get('task')) && (!q.get('sha') || d.sha === q.get('sha')))
          .reverse(); // newest first, as GitHub lists them
        send(res, op, 200, found.slice(0, Number(q.get('per_page') ?? 30)).map(deploymentToApi));
        return true;
      }
      case 'repos/create-deployment-status': {
        const deployment = deployments.find((d) => d.id === Number(op.pathParams.deployment_id));
        if (!deployment) {
          send(res, undefined, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
          return true;
        }
        const status = {
          id: nextId++,
          state: String(body?.state),
          description: String(body?.description ?? ''),
          ...(typeof body?.log_url === 'string' ? { logUrl: body.log_url } : {}),
          ...(typeof body?.environment === 'string' ? { environment: body.environment } : {}),
        };
        deployment.statuses.push(status);
        // auto_inactive (default true), as GitHub describes it: after a success, an inactive status on
        // every prior non-transient, non-production deployment of the environment that was a success.
        if (status.state === 'success' && body?.auto_inactive !== false) {
          for (const other of deployments) {
            const last = other.statuses.at(-1);
            const retired = !other.productionEnvironment && !other.transientEnvironment;
            if (other !== deployment && retired && other.environment === deployment.environment && last?.state === 'success') other.statuses.push({ id: nextId++, state: 'inactive', description: '' });
          }
        }
        send(res, op, 201, statusToApi(deployment, status));
        return true;
      }
      case 'repos/list-deployment-statuses': {
        const deployment = deployments.find((d) => d.id === Number(op.pathParams.deployment_id));
        const statuses = [...(deployment?.statuses ?? [])].reverse();
        send(res, op, 200, statuses.slice(0, Number(url.searchParams.get('per_page') ?? 30)).map((s) => statusToApi(deployment!, s)));
        return true;
      }
      default:
        return false;
    }
  }

  function deploymentToApi(d: StoredDeployment): object {
    const api = `${baseUrl}/repos/${OWNER}/${REPO}/deployments/${d.id}`;
    const at = new Date(clock).toISOString().replace('.000', '');
    return {
      ...spec.example('deployment'),
      url: api, id: d.id, node_id: `DE_${d.id}`, sha: d.sha, ref: d.ref, task: d.task, payload: d.payload,
      original_environment: d.environment, environment: d.environment, description: d.description,
      production_environment: d.productionEnvironment, transient_environment: d.transientEnvironment,
      creator: userToApi(BOT), created_at: at, updated_at: at, statuses_url: `${api}/statuses`,
      repository_url: `${baseUrl}/repos/${OWNER}/${REPO}`,
    };
  }

  function statusToApi(d: StoredDeployment, s: StoredDeployment['statuses'][number]): object {
    const api = `${baseUrl}/repos/${OWNER}/${REPO}/deployments/${d.id}`;
    const at = new Date(clock).toISOString().replace('.000', '');
    return {
      ...spec.example('deployment-status'),
      url: `${api}/statuses/${s.id}`, id: s.id, node_id: `DES_${s.id}`, state: s.state, creator: userToApi(BOT),
      description: s.description, environment: s.environment ?? d.environment, target_url: s.logUrl ?? '', log_url: s.logUrl ?? '',
      created_at: at, updated_at: at, deployment_url: api, repository_url: `${baseUrl}/repos/${OWNER}/${REPO}`,
    };
  }

  function pullToApi(p: { number: number; state: 'open' | 'closed'; merged: boolean }, sha: string): object {
    const [template] = spec.example('pull-request-simple-items') as unknown as Array<Record<string, unknown>>;
    return {
      ...template,
      number: p.number,
      state: p.state,
      merged_at: p.merged ? '2026-01-01T00:00:00Z' : null,
      merge_commit_sha: p.merged ? sha : null,
      // The description's own example lists a team without the `type` its schema requires.
      requested_teams: [],
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${p.number}`,
    };
  }

  /** Sends a response after checking it against the operation's description. */
  function send(res: ServerResponse, op: MatchedOperation | undefined, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    if (op) violations.push(...op.checkResponse(status, payload).map((p) => `${op.operationId} (our response): ${p}`));
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(payload));
  }

  function toApi(comment: StoredComment): object {
    const url = `${baseUrl}/repos/${OWNER}/${REPO}/issues/comments/${comment.id}`;
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      url,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
      issue_url: `${baseUrl}/repos/${OWNER}/${REPO}/issues/${comment.issueNumber}`,
      body: comment.body,
      user: userToApi(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      author_association: comment.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    };
  }

  function userToApi(user: DoubleUser): object {
    const id = [...user.login].reduce((sum, c) => sum * 31 + c.charCodeAt(0), 7) % 1_000_000;
    const html = `https://github.com/${user.login}`;
    const api = `${baseUrl}/users/${encodeURIComponent(user.login)}`;
    return {
      login: user.login, id, node_id: `U_${id}`, avatar_url: `https://avatars.githubusercontent.com/u/${id}`, gravatar_id: '',
      url: api, html_url: html, followers_url: `${api}/followers`, following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`, starred_url: `${api}/starred{/owner}{/repo}`, subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`, repos_url: `${api}/repos`, events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`, type: user.type, site_admin: false,
    };
  }

  return {
    baseUrl,
    comments,
    deployments,
    requests,
    violations,
    seedComment,
    useTokenOf: (user) => {
      tokenUser = user;
    },
    associatePullRequest: (sha, number, options = {}) => {
      const list = pullsByCommit.get(sha) ?? [];
      list.push({ number, state: options.state ?? 'open', merged: options.merged ?? false });
      pullsByCommit.set(sha, list);
    },
    failOperation: (operationId, status) => failures.set(operationId, status),
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export const DOUBLE_REPO = { owner: OWNER, repo: REPO };
