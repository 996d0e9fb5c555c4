// Istio's CustomResourceDefinitions from the Go module istio.io/api at a pinned release (see
// module-crds.ts for how they are fetched and applied).

import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { loadModuleCrds, type CrdModule } from './module-crds.ts';

export const ISTIO_API_MODULE = 'istio.io/api';
export const ISTIO_API_VERSION = 'v1.32.0';

export const ISTIO_CRDS: CrdModule = {
  module: ISTIO_API_MODULE,
  version: ISTIO_API_VERSION,
  sum: 'h1:37mJvg9I0biYZAEQF+MATs4FNeCpXEIVO3LFpVb6iNM=',
  files: ['kubernetes/customresourcedefinitions.gen.yaml'],
};

/** The CRDs of the pinned istio.io/api release, as objects. */
export function loadIstioCrds(): Promise<V1CustomResourceDefinition[]> {
  return loadModuleCrds(ISTIO_CRDS);
}

