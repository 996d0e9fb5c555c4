// action.yml against GitHub's own action-metadata schema (the one GitHub's language services use,
// published as @actions/workflow-parser), and against the code: every input the action reads is
// declared, every declared input is read.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const ACTION = readFileSync(join(ROOT, 'action.yml'), 'utf8');
const silent = { info() {}, warning() {}, error() {}, verbose() {} };

function schemaErrors(content: string): string[] {
  const { context } = parseAction({ name: 'action.yml', content }, silent as never);
  return context.errors.getErrors().map((e: { message: string }) => e.message);
}

describe('action.yml', () => {
  it('matches GitHub\'s action metadata schema', () => {
    expect(schemaErrors(ACTION)).toEqual([]);
  });

  it.each([
    ['an unknown runtime', ACTION.replace('using: node24', 'using: node99'), "Unexpected value 'node99'"],
    ['an unknown key in an output', ACTION.replace('  stage:\n', '  stage:\n    typo: 1\n'), "Unexpected value 'typo'"],
    ['an icon GitHub does not have', ACTION.replace('icon: git-branch', 'icon: not-an-icon'), "Unexpected value 'not-an-icon'"],
    ['a misspelt key of runs', ACTION.replace('post-if: always()', 'post-iff: always()'), "Unexpected value 'post-iff'"],
  ])('the schema catches %s', (_what, content, message) => {
    expect(schemaErrors(content).join('\n')).toContain(message);
  });

  it('declares exactly the inputs the action reads', () => {
    const declared = Object.keys((parse(ACTION) as { inputs: Record<string, unknown> }).inputs).sort();
    const dir = join(ROOT, 'src', 'action');
    const source = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const read = new Set(Array.from(source.matchAll(/(?:getInput|getMultilineInput|readBoolean|readDuration|readSecret|readKubeconfig|readUrl|required)\('([a-z-]+)'/g), (m) => m[1]!));
    expect([...read].sort()).toEqual(declared);
  });
});
