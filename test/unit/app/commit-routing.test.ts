// Where commit mode keeps each object: the ones the release reads, and the ServiceEntries it creates.
import { describe, expect, it } from 'vitest';
import { locationsOf } from '../../../src/app/commit-routing.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import type { CanarySpec, CommitSpec } from '../../../src/spec/types.ts';

const SPEC = `apiVersion: istio-canary/v1
kind: Canary
metadata: {name: forum}
spec:
  namespace: web
  virtualService: forum
  host: forum
  stable: {labels: {version: v1}}
  canary: {labels: {version: v2}}
  egress:
    hosts: [{host: api.example.com, ports: [{number: 443, protocol: TLS}]}]
  analysis: {checks: [{name: success, type: success-rate, min: 95}]}
  mode: commit
  commit:
    repository: https://git.example.com/web/gitops.git
    branch: main
    file: apps/forum/routing.yaml
    files: {DestinationRule/forum: apps/forum/dr.yaml, ServiceEntry/egress-api.example.com: apps/forum/egress.yaml}
    sync:
      argocd: {name: forum}
`;

const spec = () => parseCanarySpecs(SPEC, 'canary.yaml')[0] as CanarySpec & { commit: CommitSpec };

describe('commit mode: where objects live', () => {
  it('an object the release reads is placed by `files`, else in `file`', () => {
    const locations = locationsOf(spec());
    expect(locations.find((l) => l.kind === 'VirtualService')).toMatchObject({ name: 'forum', namespace: 'web', file: 'apps/forum/routing.yaml', required: true });
    expect(locations.find((l) => l.kind === 'DestinationRule')).toMatchObject({ name: 'forum', file: 'apps/forum/dr.yaml' });
  });

  it('a ServiceEntry the release creates goes to the file `files` names for it, in the release namespace, not required', () => {
    const entry = locationsOf(spec()).filter((l) => l.kind === 'ServiceEntry');
    expect(entry).toEqual([{ kind: 'ServiceEntry', namespace: 'web', name: 'egress-api.example.com', file: 'apps/forum/egress.yaml' }]);
  });
});
