// planRelease over a VirtualService and its DestinationRule (the `plan` command, tests, benches).
import type { DestinationRule, VirtualService } from '../../istio/types.ts';
import type { Plan, PlanOptions, RoutingObject } from '../../plan/types.ts';
import type { CanarySpec } from '../../spec/types.ts';
import { planWith } from '../plan.ts';
import { backendFor } from '../registry.ts';

/** `others`: further live objects the backend lists (ServiceEntries for a spec with egress hosts). */
export function planRelease(spec: CanarySpec, liveVS: VirtualService, liveDR?: DestinationRule, options: PlanOptions = {}, others: RoutingObject[] = []): Plan {
  return planWith(backendFor(spec), spec, [...(liveDR ? [liveVS, liveDR] : [liveVS]), ...others], options);
}
