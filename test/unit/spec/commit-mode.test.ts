// The spec's commit mode: where the managed objects live in git and how a commit is seen in effect;
// every kind of bad input is one problem naming its line and field.
import { describe, expect, it } from 'vitest';
import { stringifyCanarySpec } from '../../../src/spec/document.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import { specHash } from '../../../src/spec/hash.ts';
import { editedSpec, specProblems } from '../../support/spec-text.ts';

const BASE = [
  'apiVersion: istio-canary/v1', //                          1
  'kind: Canary', //                                         2
  'metadata: {name: catalog}', //                            3
  'spec:', //                                                4
  '  namespace: shop', //                                    5
  '  virtualService: catalog', //                            6
  '  host: catalog', //                                      7
  '  stable: {labels: {version: v1}}', //                    8
  '  canary: {labels: {version: v2}}', //                    9
  '  mode: commit', //                                       10
  '  commit:', //                                            11
  '    repository: https://git.example.com/shop/gitops.git', // 12
  '    branch: main', //                                     13
  '    file: apps/catalog/routing.yaml', //                  14
  '    files: {DestinationRule/catalog: apps/catalog/dr.yaml}', // 15
  '    sync:', //                                            16
  '      argocd: {name: catalog}', //                        17
];

function spec(edits: Record<number, string | null> = {}): string {
  return editedSpec(BASE, edits);
}

const problems = specProblems;

describe('commit mode in the spec', () => {
  it('parses with its defaults: repository, Argo CD namespace, sync timeout 10m and interval 5s', () => {
    const [canary] = parseCanarySpecs(spec({ 12: null }), 'canary.yaml');
    expect(canary!.mode).toBe('commit');
    expect(canary!.commit).toEqual({
      repository: '.',
      branch: 'main',
      file: 'apps/catalog/routing.yaml',
      files: { 'DestinationRule/catalog': 'apps/catalog/dr.yaml' },
      sync: { source: { kind: 'argocd', name: 'catalog', namespace: 'argocd' }, timeoutMs: 600_000, pollMs: 5_000 },
    });
  });

  it.each([
    ['flux: {name: apps, namespace: gitops}', { kind: 'flux', name: 'apps', namespace: 'gitops' }],
    ['flux: {name: apps}', { kind: 'flux', name: 'apps', namespace: 'flux-system' }],
    ['live: true', { kind: 'live' }],
    ['wait: 90s', { kind: 'fixed', waitMs: 90_000 }],
  ])('sync %s', (line, source) => {
    expect(parseCanarySpecs(spec({ 17: `      ${line}` }), 'canary.yaml')[0]!.commit!.sync.source).toEqual(source);
  });

  it('no sync source: the live objects', () => {
    expect(parseCanarySpecs(spec({ 16: null, 17: null }), 'canary.yaml')[0]!.commit!.sync.source).toEqual({ kind: 'live' });
  });

  it('written back and read again gives the same spec; apply-mode specs hash as before (no mode field)', () => {
    const [canary] = parseCanarySpecs(spec(), 'canary.yaml');
    const [again] = parseCanarySpecs(stringifyCanarySpec(canary!), 'again.yaml');
    expect({ ...again!, source: canary!.source }).toEqual(canary);
    const [apply] = parseCanarySpecs(spec({ 10: null, 11: null, 12: null, 13: null, 14: null, 15: null, 16: null, 17: null }), 'canary.yaml');
    expect(apply!.mode).toBeUndefined();
    expect(apply!.commit).toBeUndefined();
    expect(Object.keys(apply!)).not.toContain('mode');
    expect(specHash(apply!)).not.toBe(specHash(canary!));
  });
});

describe('bad commit settings: one problem each, with line and field', () => {
  it('mode commit without the commit section', () => {
    expect(problems(spec({ 11: null, 12: null, 13: null, 14: null, 15: null, 16: null, 17: null }))).toContainEqual(
      'canary.yaml:5:3 spec.commit: missing: `mode: commit` needs `commit` with the `branch` and the `file` that holds the managed objects',
    );
  });

  it('a file outside the repository', () => {
    expect(problems(spec({ 14: '    file: ../other/routing.yaml' }))).toContainEqual(expect.stringMatching(/^canary\.yaml:14:11 spec\.commit\.file: `\.\.\/other\/routing\.yaml` is not a file of the repository; expected a file of the repository/));
    expect(problems(spec({ 15: '    files: {DestinationRule/catalog: /etc/dr.yaml}' }))).toContainEqual(expect.stringMatching(/^canary\.yaml:15:38 spec\.commit\.files\["DestinationRule\/catalog"\]: `\/etc\/dr\.yaml` is not a file/));
  });

  it('a files key that is not Kind/name', () => {
    expect(problems(spec({ 15: '    files: {catalog: apps/dr.yaml}' })).join('\n')).toMatch(/canary\.yaml:15:\d+ spec\.commit\.files\.catalog: /);
  });

  it('two sync sources', () => {
    expect(problems(spec({ 17: '      argocd: {name: catalog}\n      wait: 30s' }))).toContainEqual('canary.yaml:18:7 spec.commit.sync.wait: give one way to tell a commit is in effect, not `argocd` and `wait`');
  });

  it('credentials in the repository URL', () => {
    expect(problems(spec({ 12: '    repository: https://bot:ghp_secret@github.com/acme/gitops.git' }))).toContainEqual(
      'canary.yaml:12:17 spec.commit.repository: do not put credentials in the spec; give git its credentials (a credential helper, GIT_ASKPASS) or use `push: github`',
    );
  });

  it('a branch name git refuses', () => {
    expect(problems(spec({ 13: '    branch: release..v2' }))).toContainEqual('canary.yaml:13:13 spec.commit.branch: git does not allow this branch name: it contains `..`');
    expect(problems(spec({ 13: '    branch: -main' })).join('\n')).toMatch(/canary\.yaml:13:13 spec\.commit\.branch: /);
  });

  it('an unknown sync key and a missing file', () => {
    expect(problems(spec({ 17: '      argo: {name: catalog}' })).join('\n')).toMatch(/spec\.commit\.sync\.argo: unknown field `argo`; did you mean `argocd`\?/);
    expect(problems(spec({ 14: null })).join('\n')).toMatch(/spec\.commit(\.file)?: missing required field `file`/);
  });
});
