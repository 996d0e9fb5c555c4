// The example workflows against the action they use: actionlint cannot check the inputs of a remote
// action (`istio-canary/istio-canary@v0`), so this test does, with the rest of what the examples
// promise: the dispatch form's inputs, least permissions, one concurrency group per canary.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean } | string;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, { inputs?: Record<string, { type?: string; options?: string[]; required?: boolean; default?: string }> } | null>;
  permissions?: Record<string, string> | string;
  concurrency?: Job['concurrency'];
  jobs: Record<string, Job>;
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };
const declared = new Set(Object.keys(action.inputs));

const examples = readdirSync(join(ROOT, 'examples', 'workflows'))
  .filter((f) => /\.ya?ml$/.test(f))
  .map((file) => ({ file, workflow: parse(readFileSync(join(ROOT, 'examples', 'workflows', file), 'utf8')) as Workflow }));

/** The steps that run this action, in the examples (remote) and the repository's own workflows (`./`). */
function actionSteps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs).flatMap((job) => job.steps ?? []).filter((s) => s.uses === './' || s.uses?.startsWith('istio-canary/istio-canary@'));
}

/** What the action may need, and no more: reading the spec, the PR comment, the deployment. */
const ALLOWED_PERMISSIONS: Record<string, string[]> = { contents: ['read'], 'pull-requests': ['write', 'read'], deployments: ['write', 'read'] };

describe('the example workflows', () => {
  it('are the four the README describes', () => {
    expect(examples.map((e) => e.file).sort()).toEqual(['canary-dispatch.yml', 'canary-plan.yml', 'canary-release.yml', 'canary-scheduled-advance.yml']);
  });

  it.each([...examples.map((e) => [e.file, e.workflow] as const), ['e2e-kind.yml', parse(readFileSync(join(ROOT, '.github', 'workflows', 'e2e-kind.yml'), 'utf8')) as Workflow] as const])(
    '%s gives the action only inputs it declares',
    (_file, workflow) => {
      const steps = actionSteps(workflow);
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) expect(Object.keys(step.with ?? {}).filter((k) => !declared.has(k))).toEqual([]);
    },
  );

  it.each(examples.map((e) => [e.file, e.workflow] as const))('%s grants the least permissions, explicitly', (_file, workflow) => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const permissions = job.permissions ?? workflow.permissions;
      expect(typeof permissions, `job ${name} has an explicit permissions map`).toBe('object');
      for (const [scope, level] of Object.entries(permissions as Record<string, string>)) {
        expect(ALLOWED_PERMISSIONS[scope] ?? [], `${scope}: ${level} in job ${name}`).toContain(level);
      }
      // A job that records a deployment may write deployments.
      if (actionSteps({ ...workflow, jobs: { [name]: job } }).some((s) => s.with?.environment)) {
        expect((permissions as Record<string, string>).deployments).toBe('write');
      }
    }
  });

  it.each(examples.map((e) => [e.file, e.workflow] as const))('%s runs one release per canary at a time, never cancelling one', (_file, workflow) => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const concurrency = job.concurrency ?? workflow.concurrency;
      expect(typeof concurrency, `job ${name} has a concurrency group`).toBe('object');
      const { group, 'cancel-in-progress': cancel } = concurrency as { group: string; 'cancel-in-progress'?: boolean };
      // A cancelled run would roll its release back.
      expect(cancel).toBe(false);
      // The group names the canary the job drives: the one its action steps are given.
      const canaries = new Set(actionSteps({ ...workflow, jobs: { [name]: job } }).map((s) => String(s.with?.canary)));
      expect(canaries.size).toBe(1);
      const [canary] = canaries;
      expect(group.startsWith('istio-canary-')).toBe(true);
      expect(group).toContain(canary!.replace(/^\$\{\{\s*(.*?)\s*\}\}$/, '$1'));
    }
  });

  it('the dispatch form asks for exactly the commands the report tells people to run, and the canary', () => {
    const dispatch = examples.find((e) => e.file === 'canary-dispatch.yml')!.workflow;
    const inputs = dispatch.on.workflow_dispatch!.inputs!;
    expect(Object.keys(inputs).sort()).toEqual(['canary', 'command']);
    expect(inputs.command).toMatchObject({ type: 'choice' });
    expect([...inputs.command!.options!].sort()).toEqual(['abort', 'advance', 'promote', 'status']);
    // GitHub expressions, written without a template-looking string literal.
    const expression = (name: string) => ['$', `{{ inputs.${name} }}`].join('');
    expect(actionSteps(dispatch).every((s) => s.with?.canary === expression('canary'))).toBe(true);
    expect(actionSteps(dispatch).map((s) => s.with?.command)).toEqual([expression('command'), 'promote']);
  });
});
