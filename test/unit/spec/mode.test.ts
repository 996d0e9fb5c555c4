// An entry's mode, repository and branch over the spec's.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { withModeOverrides } from '../../../src/spec/mode.ts';
import type { CanarySpec } from '../../../src/spec/types.ts';

const NAMES = { mode: '--mode', repository: '--repository', branch: '--branch' };
const base = { name: 'catalog', source: { file: 'canary.yaml' } } as CanarySpec;
const commit = { repository: '.', branch: 'main', file: 'routing.yaml', files: {}, sync: { source: { kind: 'live' as const }, timeoutMs: 600_000, pollMs: 5_000 } };

describe('withModeOverrides', () => {
  it('keeps the spec when nothing is given', () => {
    expect(withModeOverrides(base, { names: NAMES })).toEqual(base);
    expect(withModeOverrides({ ...base, mode: 'commit', commit }, { names: NAMES })).toEqual({ ...base, mode: 'commit', commit });
  });

  it('switches mode either way and overrides repository and branch', () => {
    expect(withModeOverrides({ ...base, commit }, { mode: 'commit', repository: '/tmp/r.git', branch: 'release', names: NAMES })).toEqual({ ...base, mode: 'commit', commit: { ...commit, repository: '/tmp/r.git', branch: 'release' } });
    expect(withModeOverrides({ ...base, mode: 'commit', commit }, { mode: 'apply', names: NAMES }).mode).toBeUndefined();
  });

  it('refuses an unknown mode, commit mode without a commit section, a bad branch', () => {
    expect(() => withModeOverrides(base, { mode: 'gitops', names: NAMES })).toThrow(new InputError({ path: '--mode', message: '`gitops` is not a mode; expected `apply` or `commit`' }));
    expect(() => withModeOverrides(base, { mode: 'commit', names: NAMES })).toThrow(
      new InputError({ file: 'canary.yaml', path: 'spec.commit', message: "commit mode (--mode) needs the spec's `commit` section: the `branch` and the `file` that holds the managed objects" }),
    );
    expect(() => withModeOverrides(base, { repository: 'x', names: NAMES })).toThrow(/--repository needs the spec's `commit` section/);
    expect(() => withModeOverrides({ ...base, commit }, { branch: 'a..b', names: NAMES })).toThrow(new InputError({ path: '--branch', message: 'git does not allow this branch name: it contains `..`' }));
    expect(() => withModeOverrides({ ...base, commit }, { branch: '--upload-pack=x', names: NAMES })).toThrow(/--branch: git does not allow/);
  });
});
