// Commit mode wired for an HTTPRoute: with no cluster access (a fixed sync wait) the other HTTPRoutes
// on the route's parents can be checked only as far as the repository holds them, and the log says so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/adapters/clock.ts';
import { createCommitRouting, type CommitRouting } from '../../../src/app/commit-routing.ts';
import type { Logger } from '../../../src/core/ports.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import type { CanarySpec, CommitSpec } from '../../../src/spec/types.ts';
import { startBareRemote, type BareRemote } from '../../support/git-remote.ts';

const example = readFileSync(join(import.meta.dirname, '..', '..', '..', 'examples', 'gateway-api', 'canary.yaml'), 'utf8');

function commitSpec(url: string, sync: string): CanarySpec & { commit: CommitSpec } {
  const text = example.replace('  bake: 5m', `  bake: 5m\n  mode: commit\n  commit:\n    repository: ${url}\n    branch: main\n    file: routes.yaml\n    sync: {${sync}}`);
  return parseCanarySpecs(text, 'canary.yaml')[0]! as CanarySpec & { commit: CommitSpec };
}

let remote: BareRemote | undefined;
let routing: CommitRouting | undefined;
afterEach(() => {
  routing?.close();
  remote?.close();
});

describe('commit mode on an HTTPRoute', () => {
  it('without cluster access, the log says routes only in the cluster were not checked for taking the cohort', async () => {
    remote = startBareRemote({ 'routes.yaml': readFileSync(join(import.meta.dirname, '..', '..', '..', 'examples', 'gateway-api', 'httproute.yaml'), 'utf8') });
    const warnings: string[] = [];
    const log: Logger = { info: () => undefined, warning: (m) => warnings.push(m), error: () => undefined };
    routing = await createCommitRouting({ spec: commitSpec(remote.url, 'wait: 1s'), entry: 'cli', run: { runId: 'r' }, clock: systemClock, log });
    expect(warnings).toEqual([expect.stringMatching(/without cluster access .*other HTTPRoutes attached to the route's parents were checked only as far as the repository's files \(routes\.yaml and the spec's files\) hold them; routes only in the cluster were not checked/)]);
  });
});
