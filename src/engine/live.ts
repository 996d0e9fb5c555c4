// Reading what the cluster has now: the managed VirtualService, its DestinationRule, our state.
import { InputError } from '../errors.ts';
import type { DestinationRule, VirtualService } from '../istio/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import type { RoutingPort } from '../core/ports.ts';
import { decodeState } from '../core/state-codec.ts';
import { stateAnnotationKey, type RolloutState } from '../core/state.ts';

export interface Live {
  vs: VirtualService;
  dr?: DestinationRule;
  state?: RolloutState;
}

export const vsName = (spec: CanarySpec) => `VirtualService ${spec.namespace}/${spec.virtualService}`;

/** Reads the live objects. `tolerateBadState`: a damaged annotation reads as no state (abort overwrites it). */
export async function readLive(routing: RoutingPort, spec: CanarySpec, tolerateBadState = false): Promise<Live> {
  const vs = await routing.get('VirtualService', spec.namespace, spec.virtualService);
  if (!vs) {
    throw new InputError({
      file: spec.source.file,
      path: 'spec.virtualService',
      message: `${vsName(spec)} does not exist: create it first (istio-canary edits an existing VirtualService)`,
    });
  }
  const dr = await routing.get('DestinationRule', spec.namespace, spec.destinationRule);
  try {
    return { vs, dr, state: decodeState(vs, stateAnnotationKey(spec.name)) };
  } catch (e) {
    if (tolerateBadState) return { vs, dr };
    throw e;
  }
}
