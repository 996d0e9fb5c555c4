// The Kubernetes Gateway API's CustomResourceDefinitions from the Go module sigs.k8s.io/gateway-api
// at a pinned release (v1.6.3: the newest whose go.mod this machine's Go 1.26 accepts).
//
// Which channel: the standard channel's HTTPRoute already has RequestMirror `percent` and
// `fraction` (standard since v1.4). The experimental channel is the standard one plus fields
// Istio implements (HTTPRoute `retry`, CORS `allowCredentials`…, `sessionPersistence`), so the
// kinds Istio reconciles are served from it; kinds Istio does not read are not served at all.

import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { loadModuleCrds, type CrdModule } from './module-crds.ts';

export const GATEWAY_API_MODULE = 'sigs.k8s.io/gateway-api';
export const GATEWAY_API_VERSION = 'v1.6.3';

const KINDS = ['gatewayclasses', 'gateways', 'httproutes', 'referencegrants'] as const;

export const GATEWAY_API_CRDS: CrdModule = {
  module: GATEWAY_API_MODULE,
  version: GATEWAY_API_VERSION,
  sum: 'h1:lKpJa5bGlraC/QeACvCpsHLdmO6y0iKfzVl6gzaFEYc=',
  files: KINDS.map((kind) => `config/crd/experimental/gateway.networking.k8s.io_${kind}.yaml`),
};

export function loadGatewayApiCrds(): Promise<V1CustomResourceDefinition[]> {
  return loadModuleCrds(GATEWAY_API_CRDS);
}
