// Every workflow of the repository and every example passes the official actionlint (built from
// its Go module by scripts/setup.sh); a broken workflow is caught, so this test can fail.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionlintBinary } from '../../support/actionlint.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

function workflows(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f));
}

function actionlint(files: string[], cwd = ROOT): { status: number | null; output: string } {
  const result = spawnSync(actionlintBinary(), ['-no-color', ...files], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('actionlint', () => {
  const files = [...workflows('.github/workflows'), ...workflows('examples/workflows')];

  it('finds the repository\'s workflows and the examples', () => {
    expect(files).toEqual(expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/e2e-kind.yml', 'examples/workflows/canary-release.yml', 'examples/workflows/canary-dispatch.yml', 'examples/workflows/canary-scheduled-advance.yml', 'examples/workflows/canary-plan.yml']));
  });

  it('passes every one of them', () => {
    const { status, output } = actionlint(files);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it('reports a broken workflow: a bad expression, a missing runs-on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'actionlint-'));
    const broken = join(dir, 'broken.yml');
    const badExpression = ['$', '{{ github.nope( }}'].join('');
    writeFileSync(broken, ['on: push', 'jobs:', '  a:', '    steps:', `      - run: echo ${badExpression}`, ''].join('\n'));
    const { status, output } = actionlint([broken]);
    expect(status).toBe(1);
    expect(output).toContain('"runs-on" section is missing in job "a"');
    expect(output).toMatch(/parser|expression/);
  });
});
