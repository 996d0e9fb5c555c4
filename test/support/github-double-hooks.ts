// A fresh GitHub double for each test, and a logger that keeps warnings; after each test the double
// must have seen nothing outside GitHub's description.
import { afterEach, beforeEach, expect } from 'vitest';
import type { Logger } from '../../src/core/ports.ts';
import { startGitHubDouble, type GitHubDouble } from './github-double.ts';

export interface DoubleFixture {
  double: GitHubDouble;
  warnings: string[];
  log: Logger;
}

export function useGitHubDouble(): DoubleFixture {
  const fixture = { warnings: [] as string[] } as DoubleFixture;
  fixture.log = { info: () => {}, warning: (m) => fixture.warnings.push(m), error: () => {} };
  beforeEach(async () => {
    fixture.double = await startGitHubDouble();
    fixture.warnings.length = 0;
  });
  afterEach(async () => {
    const violations = [...fixture.double.violations];
    await fixture.double.close();
    expect(violations).toEqual([]);
  });
  return fixture;
}
