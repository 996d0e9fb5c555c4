import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commentMarker, createJobSummary, createPullRequestComment, resolvePullRequest } from '../../../src/adapters/github.ts';
import type { Logger } from '../../../src/core/ports.ts';
import { InputError } from '../../../src/errors.ts';
import { renderReport } from '../../../src/report/markdown.ts';
import { BOT, DOUBLE_REPO, startGitHubDouble, type GitHubDouble } from '../../support/github-double.ts';
import { canarySpec, rolloutState, stageRecord } from '../../support/rollout-fixtures.ts';

const PR = 7;
let double: GitHubDouble;
let warnings: string[];

const log: Logger = { info: () => {}, warning: (m) => warnings.push(m), error: () => {} };

function report(name = 'catalog', extra: object = {}) {
  return createPullRequestComment({ octokit: getOctokit('test-token', { baseUrl: double.baseUrl }), ...DOUBLE_REPO, issueNumber: PR, marker: name, log, ...extra });
}

beforeEach(async () => {
  double = await startGitHubDouble();
  warnings = [];
});

afterEach(async () => {
  const violations = [...double.violations];
  await double.close();
  expect(violations).toEqual([]);
});

describe('PR comment', () => {
  it('creates one comment, then updates it on the next publish', async () => {
    const port = report();
    await port.publish('first');
    await port.publish('second');
    expect(double.comments).toHaveLength(1);
    expect(double.comments[0]!.body).toBe(`${commentMarker('catalog')}\nsecond`);
    expect(double.comments[0]!.user).toEqual(BOT);
    // The process knows the comment it wrote: no second search.
    expect(double.requests.map((r) => r.operationId)).toEqual(['issues/list-comments', 'issues/create-comment', 'issues/update-comment']);
    // A later run finds it again.
    await report().publish('third');
    expect(double.comments).toHaveLength(1);
    expect(double.comments[0]!.body).toBe(`${commentMarker('catalog')}\nthird`);
  });

  it('with a personal access token (comments by a person, not a bot): still one comment across runs', async () => {
    const releaser = { login: 'release-person', type: 'User' } as const;
    double.useTokenOf(releaser);
    const quoted = double.seedComment(PR, `${commentMarker('catalog')}\nquoted by someone else`);
    for (const text of ['run 1, stage 1', 'run 1, stage 2']) await report().publish(text);
    const secondRun = report();
    await secondRun.publish('run 2, stage 1');
    await secondRun.publish('run 2, stage 2');
    const ours = double.comments.filter((c) => c.user.login === releaser.login);
    expect(ours.map((c) => c.body)).toEqual([`${commentMarker('catalog')}\nrun 2, stage 2`]);
    expect(quoted.body).toBe(`${commentMarker('catalog')}\nquoted by someone else`);
  });

  it('leaves people\'s comments and other canaries\' comments alone, even when they carry our marker', async () => {
    const byPerson = double.seedComment(PR, `${commentMarker('catalog')}\nquoted by a person`);
    const otherCanary = double.seedComment(PR, `${commentMarker('reviews')}\nreviews report`, BOT);
    const otherPr = double.seedComment(PR + 1, `${commentMarker('catalog')}\nanother PR`, BOT);
    await report().publish('catalog report');
    expect(double.comments.filter((c) => c.body.endsWith('catalog report'))).toHaveLength(1);
    expect(byPerson.body).toBe(`${commentMarker('catalog')}\nquoted by a person`);
    expect(otherCanary.body).toBe(`${commentMarker('reviews')}\nreviews report`);
    expect(otherPr.body).toBe(`${commentMarker('catalog')}\nanother PR`);
    expect(double.requests.filter((r) => r.operationId === 'issues/update-comment')).toEqual([]);
  });

  it('recognises its comment by a given author when a personal token is used', async () => {
    const mine = double.seedComment(PR, `${commentMarker('catalog')}\nold`, { login: 'release-bot-user', type: 'User' });
    await report('catalog', { author: 'release-bot-user' }).publish('new');
    expect(mine.body).toBe(`${commentMarker('catalog')}\nnew`);
    expect(double.comments).toHaveLength(1);
  });

  it('finds its comment beyond the first page of a long discussion', async () => {
    for (let i = 0; i < 230; i++) double.seedComment(PR, `comment ${i}`);
    const ours = double.seedComment(PR, `${commentMarker('catalog')}\nold`, BOT);
    for (let i = 0; i < 20; i++) double.seedComment(PR, `later ${i}`);
    await report().publish('new');
    expect(ours.body).toBe(`${commentMarker('catalog')}\nnew`);
    expect(double.comments).toHaveLength(251);
    expect(double.requests.map((r) => r.path).filter((p) => p.includes('/issues/7/comments'))).toEqual([
      '/repos/acme/shop/issues/7/comments?per_page=100',
      '/repos/acme/shop/issues/7/comments?per_page=100&page=2',
      '/repos/acme/shop/issues/7/comments?per_page=100&page=3',
    ]);
  });

  it('cuts a body over GitHub\'s comment limit, keeping the marker', async () => {
    await report().publish('x'.repeat(70_000));
    const body = double.comments[0]!.body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith(`${commentMarker('catalog')}\n`)).toBe(true);
    expect(body).toMatch(/… \(\d+ more characters\)$/);
  });

  it('warns instead of failing when the token may not comment (403, e.g. a PR from a fork)', async () => {
    double.failOperation('issues/create-comment', 403);
    await expect(report().publish('report')).resolves.toBeUndefined();
    expect(double.comments).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('acme/shop#7 (HTTP 403)');
    expect(warnings[0]).toContain('pull-requests: write');
  });

  it('warns when the pull request is not found (404)', async () => {
    double.failOperation('issues/list-comments', 404);
    await report().publish('report');
    expect(warnings[0]).toContain('HTTP 404');
  });

  it('keeps hostile canary names and report text from breaking the marker or the markdown', async () => {
    const name = 'x --> <img src=x onerror=alert(1)> `|`';
    const markdown = renderReport({ spec: canarySpec({ name }), state: rolloutState({ status: 'rolled-back', reason: `--> </details> ${name}`, history: [stageRecord(name)] }) });
    await report(name).publish(markdown);
    await report(name).publish(markdown);
    expect(double.comments).toHaveLength(1);
    const body = double.comments[0]!.body;
    const [firstLine, ...rest] = body.split('\n');
    expect(firstLine).toMatch(/^<!-- istio-canary:[A-Za-z0-9._%-]+ -->$/);
    expect(firstLine!.match(/-->/g)).toHaveLength(1);
    // Mermaid's axis range is written `0 --> 100`: inside a fenced block, which is never HTML.
    const outsideCode = rest.join('\n').replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
    expect(outsideCode).not.toContain('-->');
    expect(outsideCode).not.toContain('<img');
  });
});

describe('commentMarker', () => {
  it('is one well-formed HTML comment and differs for different names', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const marker = commentMarker(a);
        expect(marker).toMatch(/^<!-- istio-canary:[A-Za-z0-9._%-]* -->$/);
        expect(marker.slice(4, -3)).not.toContain('--');
        if (a !== b) expect(commentMarker(b)).not.toBe(marker);
      }),
    );
  });
});

describe('the GitHub double', () => {
  it('flags requests that GitHub\'s description does not allow', async () => {
    const octokit = getOctokit('test-token', { baseUrl: double.baseUrl });
    // @ts-expect-error a body GitHub does not accept, on purpose
    await expect(octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...DOUBLE_REPO, issue_number: PR, text: 'wrong field' })).rejects.toMatchObject({ status: 422 });
    await expect(octokit.request('GET /repos/{owner}/{repo}/not-an-endpoint', DOUBLE_REPO)).rejects.toMatchObject({ status: 404 });
    expect(double.violations).toEqual([
      "issues/create-comment: request body must have required property 'body'",
      'GET /repos/acme/shop/not-an-endpoint is not an operation of the GitHub REST API',
    ]);
    double.violations.length = 0;
  });
});

describe('job summary', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'summary-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces this step\'s summary with the latest report', async () => {
    const file = join(dir, 'step-summary.md');
    await writeFile(file, '');
    process.env.GITHUB_STEP_SUMMARY = file;
    const port = createJobSummary(core);
    await port.publish('# first');
    await port.publish('# second');
    expect(await readFile(file, 'utf8')).toBe('# second\n');
  });
});

describe('resolvePullRequest', () => {
  it('takes the number from a pull_request event', () => {
    expect(resolvePullRequest({ eventName: 'pull_request', payload: { pull_request: { number: 12 } } })).toBe(12);
  });
  it('takes a manual run\'s pull-request input, from the payload or passed explicitly', () => {
    expect(resolvePullRequest({ eventName: 'workflow_dispatch', payload: { inputs: { 'pull-request': '34' } } })).toBe(34);
    expect(resolvePullRequest({ eventName: 'workflow_dispatch', payload: {} }, '#56')).toBe(56);
  });
  it('finds none for a push or a manual run without input', () => {
    expect(resolvePullRequest({ eventName: 'push', payload: {} })).toBeUndefined();
    expect(resolvePullRequest({ eventName: 'workflow_dispatch', payload: { inputs: {} } })).toBeUndefined();
  });
  it('rejects an input that is not a pull request number, saying what was expected', () => {
    expect(() => resolvePullRequest({ eventName: 'workflow_dispatch', payload: {} }, 'main')).toThrow(InputError);
    expect(() => resolvePullRequest({ eventName: 'workflow_dispatch', payload: {} }, 'main')).toThrow('input pull-request: expected a pull request number such as 42, got "main"');
  });
});
