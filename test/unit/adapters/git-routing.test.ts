// Commit mode's routing writer over a real bare repository: reads at the head, one commit per write,
// the object's content as its version, conflicts naming the commit that changed it, creates and
// deletes as documents, and `applied` waiting for the write's own commit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitBranchStore } from '../../../src/adapters/git.ts';
import { GitRouting, type WriteDescription } from '../../../src/adapters/git-routing.ts';
import type { RoutingObject } from '../../../src/core/ports.ts';
import { ConflictError, InputError, NotInEffectError } from '../../../src/errors.ts';
import { SyncTimeoutError } from '../../../src/gitops/sync-wait.ts';
import { commitMessage } from '../../../src/gitops/commit-message.ts';
import type { CommittedObject } from '../../../src/gitops/sync-status.ts';
import { startBareRemote, type BareRemote } from '../../support/git-remote.ts';

const FILE = 'apps/catalog/routing.yaml';
const TEXT = `# routing of the catalog service
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: catalog   # Kustomize sets the namespace
spec:
  hosts: [catalog]
  http:
  - name: primary
    route:
    - destination: {host: catalog, subset: stable}
      weight: 100
`;
const VS = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'shop', name: 'catalog' };
const CANARY_DR = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', namespace: 'shop', name: 'catalog-canary' };

let remote: BareRemote;
let store: GitBranchStore;
let routing: GitRouting;
let waited: Array<{ commit: string; committed: CommittedObject[] }>;
let described: WriteDescription[];

beforeEach(async () => {
  remote = startBareRemote({ [FILE]: TEXT, 'README.md': 'shop\n' });
  store = await GitBranchStore.open({ remote: remote.url, branch: 'main' });
  waited = [];
  described = [];
  routing = new GitRouting({
    store,
    locations: [{ kind: 'VirtualService', namespace: 'shop', name: 'catalog', file: FILE, required: true }, { kind: 'DestinationRule', namespace: 'shop', name: 'catalog', file: FILE }],
    createIn: 'apps/catalog/canary.yaml',
    message: (change) => {
      described.push(change);
      return commitMessage({ canary: 'catalog', change: { kind: 'stage', summary: `${change.operation} ${change.ref.kind} ${change.ref.name}`, stageId: 's', index: 0, total: 1 }, runId: 'r' });
    },
    waitApplied: async (commit, committed) => {
      waited.push({ commit, committed });
      return { at: 0, revision: commit, polls: 1 };
    },
  });
});
afterEach(() => {
  store.close();
  remote.close();
});

const weight = (o: RoutingObject, w: number): RoutingObject => {
  const next = structuredClone(o) as any;
  next.spec.http[0].route[0].weight = w;
  return next;
};

describe('GitRouting', { timeout: 30_000 }, () => {
  it('reads the object at the head with the namespace filled in and a content version', async () => {
    const vs = (await routing.get(VS))!;
    expect(vs.metadata.namespace).toBe('shop');
    expect(vs.metadata.resourceVersion).toMatch(/^git-[0-9a-f]{20}$/);
    expect((vs.spec as any).http[0].route[0].weight).toBe(100);
    expect(await routing.get(CANARY_DR)).toBeUndefined();
    expect(await routing.get({ ...VS, kind: 'DestinationRule' })).toBeUndefined();
  });

  it('a write is one commit editing the document in place; the namespace stays out of the file', async () => {
    const before = remote.head();
    const read = (await routing.get(VS))!;
    const stored = await routing.write(weight(read, 90));
    expect(remote.bare('rev-list', '--count', `${before}..main`).trim()).toBe('1');
    expect(remote.show(FILE)).toBe(TEXT.replace('weight: 100', 'weight: 90'));
    expect((stored.spec as any).http[0].route[0].weight).toBe(90);
    expect(stored.metadata.resourceVersion).not.toBe(read.metadata.resourceVersion);
    expect((await routing.get(VS))!.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
    expect(remote.bare('log', '-1', '--format=%s', 'main').trim()).toBe('canary(catalog): write VirtualService catalog [1/1]');
    await routing.applied(VS, stored, stored);
    expect(waited).toEqual([{ commit: remote.head(), committed: [{ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'shop', name: 'catalog', object: expect.objectContaining({ spec: stored.spec }) }] }]);
  });

  it("someone else's edit of the object since it was read is a conflict naming their commit; nothing of ours lands", async () => {
    const read = (await routing.get(VS))!;
    const theirs = remote.push({ [FILE]: TEXT.replace('weight: 100', 'weight: 100\n      headers: {request: {set: {x: y}}}') }, 'add a header by hand');
    const error = await routing.write(weight(read, 90)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe(`VirtualService shop/catalog in ${FILE} on branch main of ${remote.url} changed since it was read by commit ${theirs.slice(0, 12)} (Dana Operator <dana@example.com>: add a header by hand)`);
    expect(remote.head()).toBe(theirs);
    expect(routing.foreignChange(VS)?.oid).toBe(theirs);
  });

  it('a push to another file in between is retried on the new head without a conflict', async () => {
    const read = (await routing.get(VS))!;
    const theirs = remote.push({ 'README.md': 'docs\n' }, 'docs');
    await routing.write(weight(read, 50));
    expect(remote.bare('log', '-1', '--format=%P', 'main').trim()).toBe(theirs);
    expect(remote.show(FILE)).toBe(TEXT.replace('weight: 100', 'weight: 50'));
  });

  it('a created object goes to its own file, is listed by labels, and a delete removes it (gone is done)', async () => {
    const dr: RoutingObject = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'catalog-canary', namespace: 'shop', labels: { 'istio-canary.dev/canary': 'catalog' } }, spec: { host: 'catalog', subsets: [{ name: 'canary', labels: { version: 'v2' } }] } };
    const created = await routing.write(dr);
    expect(remote.show('apps/catalog/canary.yaml')).toContain('name: catalog-canary');
    expect(described.at(-1)!.operation).toBe('create');
    expect((await routing.list({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', namespace: 'shop' }, { 'istio-canary.dev/canary': 'catalog' })).map((o) => o.metadata.name)).toEqual(['catalog-canary']);
    expect(await routing.list({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', namespace: 'shop' }, { 'istio-canary.dev/canary': 'other' })).toEqual([]);
    await expect(routing.write(dr)).rejects.toThrow(/was created by someone else since it was read/);
    const head = remote.head();
    await routing.delete(CANARY_DR, created.metadata.resourceVersion!);
    expect(remote.show('apps/catalog/canary.yaml')).toBe('');
    expect(remote.head()).not.toBe(head);
    const after = remote.head();
    await routing.delete(CANARY_DR, created.metadata.resourceVersion!);
    expect(remote.head()).toBe(after);
  });

  it('a placed object missing from its file is one clear error naming both', async () => {
    remote.push({ [FILE]: 'kind: ConfigMap\nmetadata: {name: x}\n' }, 'oops');
    await expect(routing.get(VS)).rejects.toThrow(new InputError({ file: FILE, path: '', message: 'holds no VirtualService shop/catalog (looked for kind, metadata.name and metadata.namespace in 1 document)' }));
  });

  it('a write that changes nothing makes no commit', async () => {
    const head = remote.head();
    await routing.write((await routing.get(VS))!);
    expect(remote.head()).toBe(head);
  });

  it("a rollback whose sync wait times out is still a rollback (a warning); any other write's timeout fails", async () => {
    const warnings: string[] = [];
    const timingOut = new GitRouting({
      store,
      locations: [{ kind: 'VirtualService', namespace: 'shop', name: 'catalog', file: FILE, required: true }],
      message: () => commitMessage({ canary: 'catalog', change: { kind: 'rollback', stableSubset: 'v1', reason: 'x' }, runId: 'r' }),
      waitApplied: async () => {
        throw new SyncTimeoutError('the commit was not in effect after 10m (syncTimeout): OutOfSync');
      },
      isRollback: (object) => object.metadata.annotations?.['rolled-back'] === 'yes',
      warn: (m) => warnings.push(m),
    });
    const vs = (await timingOut.get(VS))!;
    const rollback = await timingOut.write({ ...vs, metadata: { ...vs.metadata, annotations: { 'rolled-back': 'yes' } } });
    await timingOut.applied(VS, rollback, rollback);
    expect(warnings).toEqual([`The rollback is committed (${remote.head().slice(0, 12)}) but not yet in effect: the commit was not in effect after 10m (syncTimeout): OutOfSync`]);
    const stage = await timingOut.write({ ...rollback, metadata: { ...rollback.metadata, annotations: { 'rolled-back': 'no' } } });
    await expect(timingOut.applied(VS, stage, stage)).rejects.toThrow(SyncTimeoutError);
  });

  it('a ServiceEntry placed by commit.files: created as a document of its own file, listed by label, cut out again', async () => {
    const EGRESS = 'apps/catalog/egress.yaml';
    remote.push({ [EGRESS]: '# outbound entries of the shop\n' }, 'egress file');
    const placed = new GitRouting({
      store,
      locations: [{ kind: 'VirtualService', namespace: 'shop', name: 'catalog', file: FILE, required: true }, { kind: 'ServiceEntry', namespace: 'shop', name: 'egress-api.example.com', file: EGRESS }],
      message: () => commitMessage({ canary: 'catalog', change: { kind: 'stage', summary: 'egress', stageId: 's', index: 0, total: 1 }, runId: 'r' }),
      waitApplied: async (commit) => ({ at: 0, revision: commit, polls: 1 }),
    });
    const kind = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', namespace: 'shop' };
    const ref = { ...kind, name: 'egress-api.example.com' };
    expect(await placed.list(kind, {})).toEqual([]);
    const entry = { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name: ref.name, namespace: 'shop', labels: { 'istio-canary.dev/canary': 'catalog' } }, spec: { hosts: ['api.example.com'], location: 'MESH_EXTERNAL' } } as RoutingObject;
    const stored = await placed.write(entry);
    expect(remote.show(EGRESS)).toContain('# outbound entries of the shop\n---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\n');
    expect(remote.show(FILE)).toBe(TEXT);
    expect((await placed.list(kind, { 'istio-canary.dev/canary': 'catalog' })).map((o) => o.metadata.name)).toEqual([ref.name]);
    expect(await placed.list(kind, { 'istio-canary.dev/canary': 'forum' })).toEqual([]);
    await placed.delete(ref, stored.metadata.resourceVersion!);
    expect(remote.show(EGRESS)).toBe('# outbound entries of the shop\n');
    expect(await placed.list(kind, {})).toEqual([]);
  });

  it('with cluster access: `applied` also waits for the cluster check after the sync, and a listed read-only kind adds the cluster\'s objects git does not hold', async () => {
    const route = (name: string, note: string) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: 'shop', annotations: { from: note } }, spec: {} }) as RoutingObject;
    remote.push({ 'apps/catalog/routes.yaml': `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: catalog, annotations: {from: git}}\nspec: {}\n` }, 'routes');
    const order: string[] = [];
    const withCluster = new GitRouting({
      store,
      locations: [{ kind: 'HTTPRoute', namespace: 'shop', name: 'catalog', file: 'apps/catalog/routes.yaml', required: true }],
      message: () => commitMessage({ canary: 'catalog', change: { kind: 'stage', summary: 'x', stageId: 's', index: 0, total: 1 }, runId: 'r' }),
      waitApplied: async (commit) => {
        order.push('synced');
        return { at: 0, revision: commit, polls: 1 };
      },
      acceptedInCluster: async (ref) => {
        order.push(`accepted ${ref.kind}/${ref.name}`);
      },
      alsoInCluster: { kinds: ['HTTPRoute'], list: async () => [route('catalog', 'cluster'), route('team', 'cluster')] },
    });
    const HR = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace: 'shop', name: 'catalog' };
    const listed = await withCluster.list({ apiVersion: HR.apiVersion, kind: 'HTTPRoute', namespace: 'shop' }, {});
    expect(listed.map((o) => `${o.metadata.name} from ${o.metadata.annotations?.['from']}`)).toEqual(['catalog from git', 'team from cluster']);
    const live = (await withCluster.get(HR))!;
    const stored = await withCluster.write({ ...live, metadata: { ...live.metadata, labels: { stage: '1' } } });
    await withCluster.applied(HR, stored, stored);
    expect(order).toEqual(['synced', 'accepted HTTPRoute/catalog']);
  });

  describe('an HTTPRoute Istio does not accept after the sync', () => {
    const HR = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace: 'shop', name: 'catalog' };
    const refusal = 'HTTPRoute shop/catalog was refused by Istio (istio.io/gateway-controller): backend(catalog-v1) not found';

    function refusing(sync: 'synced' | 'timeout', asked: string[]): GitRouting {
      remote.push({ 'apps/catalog/routes.yaml': 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: catalog}\nspec: {}\n' }, 'routes');
      return new GitRouting({
        store,
        locations: [{ kind: 'HTTPRoute', namespace: 'shop', name: 'catalog', file: 'apps/catalog/routes.yaml', required: true }],
        message: () => commitMessage({ canary: 'catalog', change: { kind: 'stage', summary: 'x', stageId: 's', index: 0, total: 1 }, runId: 'r' }),
        waitApplied: async (commit) => {
          if (sync === 'timeout') throw new SyncTimeoutError('not in effect after 1s (syncTimeout)');
          return { at: 0, revision: commit, polls: 1 };
        },
        acceptedInCluster: async () => {
          asked.push('accepted?');
          throw new NotInEffectError(refusal);
        },
        isRollback: () => true,
        warn: () => undefined,
      });
    }

    it('is not in effect, naming the synced commit and Istio\'s message', async () => {
      const asked: string[] = [];
      const withCluster = refusing('synced', asked);
      const live = (await withCluster.get(HR))!;
      const stored = await withCluster.write({ ...live, metadata: { ...live.metadata, labels: { stage: '1' } } });
      const error = await withCluster.applied(HR, stored, stored).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotInEffectError);
      expect((error as Error).message).toBe(`commit ${(await store.head()).slice(0, 12)} is synced, but ${refusal}`);
      expect(asked).toEqual(['accepted?']);
    });

    it('a rollback whose sync timed out only warns (it is committed) and does not ask Istio about a revision not applied', async () => {
      const asked: string[] = [];
      const withCluster = refusing('timeout', asked);
      const live = (await withCluster.get(HR))!;
      const stored = await withCluster.write({ ...live, metadata: { ...live.metadata, labels: { stage: 'rollback' } } });
      expect(await withCluster.applied(HR, stored, stored)).toEqual(stored);
      expect(asked).toEqual([]);
    });
  });

  it('lists a kind in every namespace (namespace undefined): git\'s objects of each namespace, then the cluster\'s that git does not hold (by namespace and name)', async () => {
    const inCluster = (name: string, namespace: string) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace, annotations: { from: 'cluster' } }, spec: {} }) as RoutingObject;
    remote.push(
      { 'apps/catalog/routes.yaml': 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: catalog, annotations: {from: git}}\nspec: {}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: catalog-web, namespace: web, annotations: {from: git}}\nspec: {}\n' },
      'routes',
    );
    const asked: Array<string | undefined> = [];
    const everywhere = new GitRouting({
      store,
      locations: [{ kind: 'HTTPRoute', namespace: 'shop', name: 'catalog', file: 'apps/catalog/routes.yaml', required: true }],
      message: () => commitMessage({ canary: 'catalog', change: { kind: 'stage', summary: 'x', stageId: 's', index: 0, total: 1 }, runId: 'r' }),
      waitApplied: async (commit) => ({ at: 0, revision: commit, polls: 1 }),
      alsoInCluster: {
        kinds: ['HTTPRoute'],
        list: async (kind) => {
          asked.push(kind.namespace);
          return [inCluster('catalog', 'shop'), inCluster('catalog', 'team'), inCluster('catalog-web', 'web')];
        },
      },
    });
    const listed = await everywhere.list({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' }, {});
    expect(asked).toEqual([undefined]);
    expect(listed.map((o) => `${o.metadata.namespace}/${o.metadata.name} from ${o.metadata.annotations?.['from']}`)).toEqual(['shop/catalog from git', 'web/catalog-web from git', 'team/catalog from cluster']);
  });
});

