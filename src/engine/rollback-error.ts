// The engine's own rollback could not be written after the command had changed the routing, or was
// written but not taken into effect. Its own file so the action's entry can tell them apart without
// loading the engine.
import { ClusterError } from '../errors.ts';

/** Rolling back to stable failed: the routing may still send traffic to the canary. */
export class RollbackFailedError extends ClusterError {}

/** The rollback is written with its state (stored, or committed and synced), but the mesh has not put
 * it into effect (Istio refused the route or did not accept it in time): nothing is left to retry
 * until what Istio reports is fixed, then `abort` waits for it again. */
export class RollbackNotInEffectError extends ClusterError {}
