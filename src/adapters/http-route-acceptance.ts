// Apply mode's "in effect" for an HTTPRoute: stored as written is not enough, Istio's Gateway API
// controller must have accepted the route's current generation for every parent (status.parents,
// see src/routing/http-route/acceptance.ts). Polls the route until then; a refusal fails at once
// with the controller's condition message, and a controller that never answers fails at a deadline
// (spec.acceptanceTimeout). Both are NotInEffectError: the write itself is stored.
import { ClusterError, NotInEffectError } from '../errors.ts';
import { describeRef, type ObjectRef, type RoutingObject } from '../plan/objects.ts';
import { ISTIO_GATEWAY_CONTROLLER, routeAcceptance } from '../routing/http-route/acceptance.ts';
import type { NotServed } from '../routing/http-route/istio-parents.ts';
import type { HTTPRoute } from '../routing/http-route/types.ts';
import { formatPromDuration } from '../spec/duration.ts';

/** How long a write waits for Istio's controller when the spec does not say (spec.acceptanceTimeout). */
export const DEFAULT_ACCEPTANCE_TIMEOUT_MS = 120_000;

export interface AcceptanceOptions {
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  /** Parents Istio never reports on (a Gateway that does not exist, or another controller's): not waited for. */
  notServed?: readonly NotServed[];
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The route once accepted (its latest read); NotInEffectError on a refusal or at the deadline,
 * ClusterError when the route disappeared. */
export async function awaitAccepted(ref: ObjectRef, written: RoutingObject, read: () => Promise<RoutingObject | undefined>, options: AcceptanceOptions): Promise<RoutingObject> {
  const name = describeRef(ref);
  const deadline = Date.now() + options.timeoutMs;
  let latest: RoutingObject | undefined = written;
  for (;;) {
    if (latest === undefined) throw new ClusterError(`${name} disappeared right after it was written; check who deletes it`);
    // Someone wrote after us: their generation is theirs to have accepted; drift checks see the rest.
    if (latest.metadata['generation'] !== written.metadata['generation']) return latest;
    const acceptance = routeAcceptance(latest as unknown as HTTPRoute, options.notServed);
    if (acceptance.state === 'accepted') return latest;
    if (acceptance.state === 'unserved') throw new NotInEffectError(`${name} is not in effect: ${acceptance.message}`);
    if (acceptance.state === 'refused') throw new NotInEffectError(`${name} was refused by Istio (${ISTIO_GATEWAY_CONTROLLER}): ${acceptance.message}`);
    if (Date.now() >= deadline) {
      throw new NotInEffectError(
        `${name} was not accepted by Istio within ${formatPromDuration(options.timeoutMs)} (spec.acceptanceTimeout; waiting for ${acceptance.waitingFor} in status.parents from ${ISTIO_GATEWAY_CONTROLLER}); check that istiod runs with the Gateway API enabled and serves the route's parents`,
      );
    }
    await sleep(options.intervalMs, options.signal);
    latest = await read();
  }
}
