// The action as GitHub runs it: the committed bundle (dist/index.js, dist/post.js) started with the
// runner's environment (INPUT_*, GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY, the event
// payload), against the local mesh, with the PR comment going to the GitHub double that checks
// every request against GitHub's OpenAPI description.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubDouble, DOUBLE_REPO, type GitHubDouble } from '../support/github-double.ts';
import { safeYaml } from '../../src/yaml/safe-yaml.ts';
import { initialRoute, routeSpecDocument } from './support/http-route-release.ts';
import {
  DEFAULT_CHECKS,
  assertOnStable,
  assertPromoted,
  disposeRelease,
  newRelease,
  observedTraffic,
  readVs,
  stateOf,
  waitForVs,
  type Release,
} from './support/release-fixture.ts';

const DIST = resolve(import.meta.dirname, '..', '..', 'dist');
const PR = 42;

interface StepResult {
  code: number | null;
  stdout: string;
  /** GITHUB_OUTPUT / GITHUB_STATE as name → value. */
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

/** Parses the runner's file commands: `name<<DELIM\nvalue\nDELIM` or `name=value` lines. */
function fileCommands(path: string): Record<string, string> {
  const text = readFileSync(path, 'utf8');
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      result[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) {
      const at = lines[i]!.indexOf('=');
      result[lines[i]!.slice(0, at)] = lines[i]!.slice(at + 1);
    }
  }
  return result;
}

interface Step {
  dir: string;
  env: NodeJS.ProcessEnv;
}

/** The event that started the run; default a pull_request event of PR 42. */
interface RunnerEvent {
  name: string;
  payload: Record<string, unknown>;
  actor?: string;
  sha?: string;
}

const REPOSITORY = { name: DOUBLE_REPO.repo, owner: { login: DOUBLE_REPO.owner } };
const PULL_REQUEST_EVENT: RunnerEvent = { name: 'pull_request', payload: { pull_request: { number: PR }, number: PR, repository: REPOSITORY } };
/** Where the dispatch form lives in these tests (the runner names the running workflow so). */
const DISPATCH_WORKFLOW_REF = `${DOUBLE_REPO.owner}/${DOUBLE_REPO.repo}/.github/workflows/canary-dispatch.yml@refs/heads/main`;

/** A `workflow_dispatch` run of the dispatch form with its inputs, by `actor`. */
function dispatchEvent(inputs: Record<string, string>, actor: string, sha: string): RunnerEvent {
  return { name: 'workflow_dispatch', payload: { inputs, ref: 'refs/heads/main', repository: REPOSITORY, workflow: '.github/workflows/canary-dispatch.yml' }, actor, sha };
}

/** The environment the runner gives one step of a job. */
function runnerStep(inputs: Record<string, string>, github: GitHubDouble, runnerEvent: RunnerEvent = PULL_REQUEST_EVENT): Step {
  const dir = mkdtempSync(join(tmpdir(), 'action-step-'));
  const event = join(dir, 'event.json');
  writeFileSync(event, JSON.stringify(runnerEvent.payload));
  for (const file of ['output', 'state', 'summary']) writeFileSync(join(dir, file), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: runnerEvent.name,
    GITHUB_ACTOR: runnerEvent.actor ?? 'octocat',
    // A first run: the runner sets both (they differ on a re-run).
    GITHUB_TRIGGERING_ACTOR: runnerEvent.actor ?? 'octocat',
    GITHUB_SHA: runnerEvent.sha ?? 'e'.repeat(40),
    GITHUB_WORKFLOW_REF: DISPATCH_WORKFLOW_REF,
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: `${DOUBLE_REPO.owner}/${DOUBLE_REPO.repo}`,
    GITHUB_API_URL: github.baseUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: String(Date.now()),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'release',
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    RUNNER_TEMP: dir,
  };
  // The runner passes inputs as INPUT_<NAME> with the name upper-cased (hyphens kept).
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return { dir, env };
}

function runScript(script: string, step: Step, extraEnv: NodeJS.ProcessEnv = {}, onStart?: (kill: () => void, signal: (name: NodeJS.Signals) => void) => void): Promise<StepResult> {
  const child = spawn(process.execPath, [join(DIST, script)], { env: { ...step.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stdout += c.toString()));
  onStart?.(() => child.kill('SIGKILL'), (name) => child.kill(name));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) =>
      done({
        code,
        stdout,
        outputs: fileCommands(step.env.GITHUB_OUTPUT!),
        state: fileCommands(step.env.GITHUB_STATE!),
        summary: readFileSync(step.env.GITHUB_STEP_SUMMARY!, 'utf8'),
      }),
    );
  });
}

/** The post step gets the main step's saved state as STATE_<name> variables. */
function postEnv(main: StepResult): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(main.state).map(([k, v]) => [`STATE_${k}`, v]));
}

function releaseInputs(release: Release, extra: Record<string, string> = {}): Record<string, string> {
  return {
    command: 'run',
    spec: release.specFile,
    kubeconfig: readFileSync(release.kubeconfig, 'utf8'),
    'prometheus-url': release.env.prometheusUrl,
    'github-token': 'ghs_test_token_value',
    ...extra,
  };
}

let github: GitHubDouble;
const releases: Release[] = [];

beforeAll(async () => {
  github = await startGitHubDouble();
});

afterAll(async () => {
  await Promise.all(releases.map(disposeRelease));
  const violations = [...github.violations];
  await github.close();
  expect(violations).toEqual([]);
});

async function release(prefix: string, stages: Array<Record<string, unknown>>): Promise<Release> {
  // A 1 s interval holds one Prometheus scrape (every 1 s): too few requests to judge under load.
  const r = await newRelease(prefix, { spec: { stages, bake: '4s', interval: '2s' } });
  releases.push(r);
  return r;
}

describe('the bundled action (dist/)', () => {
  it('runs a release: outputs, job summary, one PR comment, credentials masked', async () => {
    const r = await release('action-run', [{ weight: 50 }]);
    const step = runnerStep(releaseInputs(r), github);
    const main = await runScript('index.js', step);
    expect(main.code, main.stdout).toBe(0);
    expect(main.outputs).toMatchObject({ status: 'promoted', stage: 'promoted', 'canary-weight': '100' });
    expect(readFileSync(main.outputs['report']!, 'utf8')).toContain('istio-canary **catalog**');
    assertPromoted(r, await readVs(r));
    expect(main.summary).toContain('| 00-weight-50 | 50 % | ✅ passed |');
    const comments = github.comments.filter((c) => c.issueNumber === PR && c.body.includes('istio-canary:catalog'));
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('00-weight-50');
    // The runner hides what the action registers with add-mask: the token, the kubeconfig and
    // each credential in it.
    const masks = [...main.stdout.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1]);
    expect(masks).toContain('ghs_test_token_value');
    const clientKey = /client-key-data:\s*(\S+)/.exec(readFileSync(r.kubeconfig, 'utf8'))?.[1];
    expect(clientKey, 'the test kubeconfig carries its key inline').toBeDefined();
    expect(masks).toContain(clientKey);
    expect(main.state['finished']).toBe('true');
  });

  it('a check name that holds workflow-command syntax is logged as text: the runner runs none of it', async () => {
    // `##[` anywhere in a line is the runner's older command syntax; this name would mask "catalog".
    const name = 'errors ##[add-mask]catalog';
    const r = await newRelease('action-hostile', { spec: { stages: [{ weight: 50 }], bake: '4s', interval: '2s', checks: [{ ...DEFAULT_CHECKS[0], name }] } });
    releases.push(r);
    const main = await runScript('index.js', runnerStep(releaseInputs(r), github));
    expect(main.code, main.stdout).toBe(0);
    const lines = main.stdout.split(/\r\n|\r|\n/);
    // The verdict lines name the check, with the command syntax shown inert.
    expect(lines.some((l) => l.includes('errors ##\\[add-mask]catalog pass'))).toBe(true);
    expect(lines.filter((l) => l.includes('##['))).toEqual([]);
    expect(lines.filter((l) => /^::add-mask::catalog$/.test(l))).toEqual([]);
  });

  it('a release driven from GitHub: started on merge, promoted from the dispatch form by an allowed person, one comment, one deployment', async () => {
    const r = await release('action-dispatch', [{ weight: 10 }, { weight: 50 }]);
    // The merge to main: a push event naming no PR; the comment goes to the PR merged as this commit.
    const mergeSha = 'a1'.repeat(20);
    github.associatePullRequest(mergeSha, 77, { state: 'closed', merged: true });
    const push: RunnerEvent = { name: 'push', payload: { ref: 'refs/heads/main', after: mergeSha, repository: REPOSITORY }, actor: 'merger', sha: mergeSha };
    const gated = { environment: 'production', 'allowed-actors': 'alice, bob' };
    const start = await runScript('index.js', runnerStep(releaseInputs(r, { command: 'start', ...gated }), github, push));
    expect(start.code, start.stdout).toBe(0);
    expect(start.outputs).toMatchObject({ status: 'in-progress', 'canary-weight': '10' });
    const comments = () => github.comments.filter((c) => c.issueNumber === 77);
    expect(comments()).toHaveLength(1);
    // The next step: the dispatch form and the inputs for each choice, and the run driving it.
    const form = `https://github.com/${DOUBLE_REPO.owner}/${DOUBLE_REPO.repo}/actions/workflows/canary-dispatch.yml`;
    for (const command of ['advance', 'promote', 'abort']) expect(comments()[0]!.body).toContain(`[Run workflow](${form}) with \`command: ${command}\` and \`canary: catalog\``);
    expect(start.summary).toContain(`[Run workflow](${form})`);
    const deployment = () => github.deployments.filter((d) => (d.payload as { version?: string }).version === 'version-v2' && d.ref === mergeSha);
    expect(deployment()).toHaveLength(1);
    expect(deployment()[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress']);

    // Someone not on the list is refused before anything is written.
    const before = await readVs(r);
    const refused = await runScript('index.js', runnerStep(releaseInputs(r, { command: 'promote', ...gated }), github, dispatchEvent({ command: 'promote', canary: 'catalog' }, 'mallory', mergeSha)));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('::error::input allowed-actors: mallory may not promote this release');
    expect((await readVs(r)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);

    const promote = await runScript('index.js', runnerStep(releaseInputs(r, { command: 'promote', ...gated }), github, dispatchEvent({ command: 'promote', canary: 'catalog' }, 'alice', mergeSha)));
    expect(promote.code, promote.stdout).toBe(0);
    expect(promote.outputs).toMatchObject({ status: 'promoted', 'canary-weight': '100' });
    assertPromoted(r, await readVs(r));
    expect(promote.stdout).toMatch(/^::group::Stage promoted: /m);
    // Still one comment (updated, never a second), now saying it is promoted; one deployment, now a success.
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toContain('### ✅ Promoted: all traffic on version-v2');
    expect(deployment()).toHaveLength(1);
    expect(deployment()[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'in_progress', 'success']);
    expect(deployment()[0]!.statuses.at(-1)!.logUrl).toMatch(/^https:\/\/github\.com\/acme\/shop\/actions\/runs\/\d+$/);
  });

  it('an abort from the dispatch form: rolled back, the deployment inactive, a notice in the log', async () => {
    const r = await release('action-abort', [{ weight: 10 }, { weight: 50 }]);
    const start = await runScript('index.js', runnerStep(releaseInputs(r, { command: 'start', environment: 'staging' }), github));
    expect(start.code, start.stdout).toBe(0);
    // Dispatched on the PR's branch: the comment goes to the open PR whose head is that commit.
    const branchHead = 'b2'.repeat(20);
    github.associatePullRequest(branchHead, PR);
    const abort = await runScript('index.js', runnerStep(releaseInputs(r, { command: 'abort', environment: 'staging' }), github, dispatchEvent({ command: 'abort', canary: 'catalog' }, 'carol', branchHead)));
    expect(abort.code, abort.stdout).toBe(0);
    expect(abort.outputs).toMatchObject({ status: 'rolled-back', 'canary-weight': '0' });
    assertOnStable(r, await readVs(r));
    expect(abort.stdout).toMatch(/^::notice title=Rolled back%3A catalog::catalog: all traffic is back on version-v1/m);
    const staging = github.deployments.filter((d) => d.environment === 'staging');
    expect(staging).toHaveLength(1);
    expect(staging[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'in_progress', 'inactive']);
    // The comment on the PR says so and offers nothing but the way forward.
    const comment = github.comments.find((c) => c.issueNumber === PR && c.body.includes(r.ns));
    expect(comment?.body ?? '').toContain('### ↩️ Rolled back');
  });

  it('an abort dispatched while a run drives the release takes it over: stable at once, the run stops, the deployment inactive', async () => {
    const r = await release('action-preempt', [{ weight: 50, bake: '5m' }]);
    const main = runScript('index.js', runnerStep(releaseInputs(r, { environment: 'preempt' }), github));
    await waitForVs(r, 'canary weight 50', (vs) => observedTraffic(vs).canaryWeight === 50, 60_000);
    const abort = await runScript('index.js', runnerStep(releaseInputs(r, { command: 'abort', environment: 'preempt' }), github, dispatchEvent({ command: 'abort', canary: 'catalog' }, 'carol', 'c3'.repeat(20))));
    expect(abort.code, abort.stdout).toBe(0);
    assertOnStable(r, await readVs(r));
    const driven = await main;
    expect(driven.code).toBe(1);
    expect(driven.stdout).toMatch(/^::error::catalog: this run no longer drives the rollout: it is now rolled-back \(aborted by .*\)\. Stopping without touching the routing\.$/m);
    assertOnStable(r, await readVs(r));
    // The abort ended the deployment; the run that stopped afterwards does not write over it.
    expect(github.deployments.filter((d) => d.environment === 'preempt').map((d) => d.statuses.map((s) => s.state))).toEqual([['in_progress', 'in_progress', 'inactive']]);
  });

  it('a failed gate: an error annotation naming the check and its value, stages grouped, the deployment a failure', async () => {
    const r = await release('action-gate', [{ weight: 50, bake: '30s' }]);
    const step = runnerStep(releaseInputs(r, { environment: 'gate' }), github);
    const main = runScript('index.js', step);
    await waitForVs(r, 'canary weight 50', (vs) => observedTraffic(vs).canaryWeight === 50, 60_000);
    await r.sim.setProfile(r.ns, 'catalog', 'v2', { errorRatio: 0.6, errorCode: 500 });
    const result = await main;
    expect(result.code).toBe(1);
    assertOnStable(r, await readVs(r));
    expect(result.stdout).toMatch(/^::group::Stage 00-weight-50: /m);
    expect(result.stdout).toMatch(/^::group::Stage rollback: /m);
    // Workflow-command syntax in the text is escaped (`:` as %3A in a property, `%` as %25), as the runner expects.
    expect(result.stdout).toMatch(/^::error title=Gate failed at 00-weight-50%3A success = \d+(\.\d+)?::success = \d+(\.\d+)?, threshold success rate >= 95%25/m);
    expect(result.stdout).toMatch(/^::notice title=Rolled back%3A catalog::/m);
    expect(github.deployments.filter((d) => d.environment === 'gate')[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
  });

  it('post step after a cancel: the main step rolls back on SIGINT itself, the post step finds nothing left to do', async () => {
    const r = await release('action-cancel', [{ weight: 50, bake: '5m' }]);
    const step = runnerStep(releaseInputs(r), github);
    const main = await runScript('index.js', step, {}, (_kill, signal) => {
      // GitHub's cancel: SIGINT to the step once the canary has live traffic.
      void waitForVs(r, 'canary weight 50', (vs) => observedTraffic(vs).canaryWeight === 50, 60_000).then(() => signal('SIGINT'));
    });
    expect(main.code).toBe(1);
    expect(main.stdout).toContain('SIGINT received: rolling back to stable');
    const rolledBack = await readVs(r);
    assertOnStable(r, rolledBack);
    expect(stateOf(rolledBack)?.status).toBe('rolled-back');
    expect(main.state['finished']).toBe('true');
    const post = await runScript('post.js', step, postEnv(main));
    expect(post.code, post.stdout).toBe(0);
    expect((await readVs(r)).metadata.resourceVersion).toBe(rolledBack.metadata.resourceVersion);
  });

  it('fails the step with one clear error and writes nothing on bad input', async () => {
    const r = await release('action-bad', [{ weight: 50 }]);
    const before = await readVs(r);
    const step = runnerStep(releaseInputs(r, { supersede: 'yes' }), github);
    const main = await runScript('index.js', step);
    expect(main.code).toBe(1);
    const errors = main.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toEqual(['::error::input supersede: expected true or false, got "yes"']);
    expect(main.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    expect((await readVs(r)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('post step: rolls back a release whose main step was killed mid-stage', async () => {
    const r = await release('action-killed', [{ weight: 50, bake: '5m' }]);
    const step = runnerStep(releaseInputs(r, { environment: 'killed' }), github);
    const main = await runScript('index.js', step, {}, (kill) => {
      // Killed (no chance to clean up) once the canary has live traffic.
      void waitForVs(r, 'canary weight 50', (vs) => observedTraffic(vs).canaryWeight === 50, 60_000).then(kill);
    });
    expect(main.code).toBeNull();
    expect(observedTraffic(await readVs(r)).canaryWeight).toBe(50);
    const post = await runScript('post.js', step, postEnv(main));
    expect(post.code, post.stdout).toBe(0);
    const vs = await readVs(r);
    assertOnStable(r, vs);
    expect(stateOf(vs)?.status).toBe('rolled-back');
    // The deployment the killed step left in progress ends as a failure.
    expect(github.deployments.filter((d) => d.environment === 'killed').map((d) => d.statuses.map((s) => s.state))).toEqual([['in_progress', 'failure']]);
  });

  it('post step: leaves a release alone when the main step finished (a paused stage stays paused)', async () => {
    const r = await release('action-paused', [{ weight: 10, pause: true }, { weight: 50 }]);
    const step = runnerStep(releaseInputs(r), github);
    const main = await runScript('index.js', step);
    expect(main.code, main.stdout).toBe(0);
    expect(main.outputs).toMatchObject({ status: 'paused', 'canary-weight': '10' });
    const paused = await readVs(r);
    const post = await runScript('post.js', step, postEnv(main));
    expect(post.code).toBe(0);
    expect((await readVs(r)).metadata.resourceVersion).toBe(paused.metadata.resourceVersion);
  });

  it('command plan: plan in the job summary, nothing touches the cluster', async () => {
    const r = await release('action-plan', [{ weight: 10 }, { weight: 50 }]);
    const vsFile = join(r.dir, 'vs.json');
    writeFileSync(vsFile, JSON.stringify(r.initialVs));
    const before = await readVs(r);
    const step = runnerStep({ command: 'plan', spec: r.specFile, 'virtual-service-file': vsFile }, github);
    const main = await runScript('index.js', step);
    expect(main.code, main.stdout).toBe(0);
    expect(main.summary).toContain('00-weight-10');
    expect(main.summary).toContain('01-weight-50');
    expect(main.stdout).toContain('== 00-weight-10');
    expect((await readVs(r)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('command plan with http-route-file: an HTTPRoute planned with its neighbours, who the cohort reaches in the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'action-plan-http-route-'));
    const spec = join(dir, 'canary.yaml');
    writeFileSync(spec, safeYaml(routeSpecDocument('shop', 'sidecar', {})));
    const ours = join(dir, 'catalog-httproute.yaml');
    writeFileSync(ours, safeYaml(initialRoute('shop')));
    const neighbours = join(dir, 'team-routes.yaml');
    const neighbour = (namespace: string, name: string, parent: Record<string, unknown>) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name, namespace },
      spec: { parentRefs: [{ group: '', kind: 'Service', name: 'catalog', port: 80, ...parent }], rules: [{ matches: [{ path: { type: 'Exact', value: '/reports' } }], backendRefs: [{ name: 'catalog-v1', namespace: 'shop', port: 80 }] }] },
    });
    writeFileSync(neighbours, [neighbour('shop', 'reports', {}), neighbour('web', 'catalog-web', { namespace: 'shop' })].map((o) => safeYaml(o)).join('---\n'));
    const step = runnerStep({ command: 'plan', spec, 'http-route-file': `${ours}\n${neighbours}\n` }, github);
    const main = await runScript('index.js', step);
    expect(main.code, main.stdout).toBe(0);
    expect(main.stdout).toContain('cohort: on Service shop/catalog (4 matches of 2 HTTPRoutes, Gateway API precedence): the dark-launch match ranks #3, directly above the owned match #4 (PathPrefix /) it copies, nothing between them.');
    expect(main.summary).toContain('### Canary plan: catalog (HTTPRoute shop/catalog)');
    expect(main.summary).toContain('**Caveat:** on Service shop/catalog, clients in namespace web follow HTTPRoute web/catalog-web');
    expect(main.summary).toContain(`**Not checked:** HTTPRoutes only in the cluster, not in ${ours}, ${neighbours}`);
    expect(main.summary).toContain('Who the cohort reaches, and why:');
    // Escaped for markdown: parentheses and # are literal text.
    expect(main.summary).toContain('- `00-dark-launch`: on Service shop/catalog \\(4 matches of 2 HTTPRoutes, Gateway API precedence\\): the dark-launch match ranks \\#3');
  });
});
