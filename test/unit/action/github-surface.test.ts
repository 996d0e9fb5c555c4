import { describe, expect, it } from 'vitest';
import { workflowFileOf } from '../../../src/action/github-surface.ts';

describe('workflowFileOf', () => {
  it('takes the file name from GITHUB_WORKFLOW_REF', () => {
    expect(workflowFileOf('acme/shop/.github/workflows/canary-dispatch.yml@refs/heads/main')).toBe('canary-dispatch.yml');
    expect(workflowFileOf('acme/shop/.github/workflows/release.yaml@refs/pull/3/merge')).toBe('release.yaml');
  });
  it('is undefined without a workflow file (not on GitHub)', () => {
    expect(workflowFileOf(undefined)).toBeUndefined();
    expect(workflowFileOf('')).toBeUndefined();
    expect(workflowFileOf('acme/shop/dynamic/pages@x')).toBeUndefined();
  });
});
