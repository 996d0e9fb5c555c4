// The engine's own rollback could not be written after the command had changed the routing. Its own
// file so the action's entry can tell it apart without loading the engine.
import { ClusterError } from '../errors.ts';

/** Rolling back to stable failed: the routing may still send traffic to the canary. */
export class RollbackFailedError extends ClusterError {}
