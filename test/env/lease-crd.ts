// The test API server is the CustomResourceDefinition server alone (see apiserver/main.go), which
// serves no built-in types, so coordination.k8s.io/v1 Lease (the holder record of apply mode) is
// served here from a CRD with the same group, version, names and spec fields as the built-in type
// (LeaseSpec of k8s.io/api/coordination/v1). What istio-canary relies on is the API server's own
// generic storage either way: create refused when the object exists, update refused on a stale
// resourceVersion (409), get by name; Kubernetes clusters serve the built-in Lease.
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';

const microTime = { type: 'string', format: 'date-time' };

export const LEASE_CRD: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: {
    name: 'leases.coordination.k8s.io',
    // Required for a CRD in a *.k8s.io group; this one stands in for the built-in type in tests only.
    annotations: { 'api-approved.kubernetes.io': 'unapproved, test stand-in for the built-in Lease' },
  },
  spec: {
    group: 'coordination.k8s.io',
    scope: 'Namespaced',
    names: { plural: 'leases', singular: 'lease', kind: 'Lease', listKind: 'LeaseList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                type: 'object',
                properties: {
                  acquireTime: microTime,
                  holderIdentity: { type: 'string' },
                  leaseDurationSeconds: { type: 'integer', format: 'int32' },
                  leaseTransitions: { type: 'integer', format: 'int32' },
                  preferredHolder: { type: 'string' },
                  renewTime: microTime,
                  strategy: { type: 'string' },
                },
              },
            },
          },
        },
      },
    ],
  },
} as V1CustomResourceDefinition;
