// Who writes the routes: GitOps controllers (refuse), other managers (take over), ourselves.
import { describe, expect, test } from 'vitest';
import { routeOwner } from '../../../src/adapters/kubernetes-owner.ts';
import type { ManagedFieldsEntry, VirtualService } from '../../../src/istio/types.ts';

const HTTP = { 'f:spec': { 'f:http': {} } };
const HOSTS = { 'f:spec': { 'f:hosts': {} } };

function vs(managedFields: ManagedFieldsEntry[], labels?: Record<string, string>, annotations?: Record<string, string>): VirtualService {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', managedFields, labels, annotations }, spec: {} };
}

const entry = (manager: string, fieldsV1: unknown = HTTP, time = '2026-01-01T00:00:00Z'): ManagedFieldsEntry => ({ manager, operation: 'Update', time, fieldsType: 'FieldsV1', fieldsV1 });

describe('routeOwner', () => {
  test.each([
    ['argocd-controller', 'Argo CD'],
    ['argocd-application-controller', 'Argo CD'],
    ['kustomize-controller', 'Flux (kustomize-controller)'],
    ['helm-controller', 'Flux (helm-controller)'],
  ])('field manager %s is %s', (manager, controller) => {
    expect(routeOwner(vs([entry(manager, HOSTS), entry('istio-canary')]))).toEqual({ kind: 'gitops', controller, evidence: `field manager "${manager}" in managedFields` });
  });

  test.each([
    [{ 'kustomize.toolkit.fluxcd.io/name': 'apps' }, undefined, 'Flux (kustomize-controller)'],
    [{ 'helm.toolkit.fluxcd.io/name': 'catalog' }, undefined, 'Flux (helm-controller)'],
    [undefined, { 'argocd.argoproj.io/tracking-id': 'shop:networking.istio.io/VirtualService:shop/catalog' }, 'Argo CD'],
  ])('tracking marks %j %j are %s', (labels, annotations, controller) => {
    expect(routeOwner(vs([], labels, annotations))).toMatchObject({ kind: 'gitops', controller });
  });

  test('the latest manager of spec.http is the one taken over', () => {
    const fields = [entry('helm', HTTP, '2026-01-01T00:00:00Z'), entry('kubectl-edit', HTTP, '2026-02-01T00:00:00Z'), entry('kubectl-client-side-apply', HOSTS, '2026-03-01T00:00:00Z')];
    expect(routeOwner(vs(fields))).toEqual({ kind: 'manager', manager: 'kubectl-edit' });
  });

  test('our own manager is ourselves; no managedFields is unknown', () => {
    expect(routeOwner(vs([entry('kubectl', HOSTS), entry('istio-canary')]))).toEqual({ kind: 'self' });
    expect(routeOwner(vs([]))).toEqual({ kind: 'unknown' });
  });

  test('a status subresource entry does not count', () => {
    expect(routeOwner(vs([{ ...entry('argocd-controller'), subresource: 'status' }, entry('kubectl')]))).toEqual({ kind: 'manager', manager: 'kubectl' });
  });
});
