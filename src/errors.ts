// One typed error hierarchy for the whole action. Adapters convert SDK errors into these at their
// boundary, so the engine and the entry points decide on exit codes and rollbacks by type alone.

/** Where in the user's input a problem is: file, 1-based line and column, and the field path. */
export interface InputProblem {
  file?: string;
  line?: number;
  column?: number;
  /** Field path in the document, e.g. `spec.stages[2].weight`; empty for the whole document. */
  path: string;
  /** What was found and what was expected. */
  message: string;
}

function formatProblem(p: InputProblem): string {
  const at = [p.file, p.line !== undefined ? String(p.line) : undefined, p.line !== undefined && p.column !== undefined ? String(p.column) : undefined]
    .filter((x) => x !== undefined)
    .join(':');
  const where = [at, p.path].filter((x) => x).join(' ');
  return where ? `${where}: ${p.message}` : p.message;
}

/** Base of every error the action raises on purpose. `exitCode` follows the CLI contract. */
export class CanaryError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad spec, manifest, flag or input: exit 2, nothing was written. */
export class InputError extends CanaryError {
  override readonly exitCode = 2;
  readonly problems: InputProblem[];
  constructor(problems: InputProblem[] | InputProblem) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map(formatProblem).join('\n'));
    this.problems = list;
  }
}

/** The cluster (API server) could not be reached or answered with an unexpected error: exit 3. */
export class ClusterError extends CanaryError {
  override readonly exitCode = 3;
  readonly status?: number;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.status = options?.status;
  }
}

/** A write lost a race: the object's resourceVersion changed since it was read (HTTP 409). */
export class ConflictError extends ClusterError {}

/** A write is stored (apply mode) or committed and synced (commit mode), but the mesh has not taken it
 * into effect: Istio refused the HTTPRoute, or had not accepted it by the deadline. */
export class NotInEffectError extends ClusterError {}

/** Someone else holds the rollout (another run, or a GitOps controller owns the routes). */
export class OwnershipError extends CanaryError {
  override readonly exitCode = 2;
}

/** The metrics backend failed (unreachable, HTTP error, bad query): never a pass. */
export class MetricsError extends CanaryError {
  override readonly exitCode = 3;
}

/** The release was judged bad and rolled back: exit 1. */
export class ReleaseFailedError extends CanaryError {
  override readonly exitCode = 1;
}

/** The routing of the stage under judgement was changed by someone else: the stage fails (exit 1). */
export class DriftError extends ReleaseFailedError {}

/** Message for anything thrown, including non-Error values, without a stack trace. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : JSON.stringify(e);
}

export function exitCodeOf(e: unknown): number {
  return e instanceof CanaryError ? e.exitCode : 1;
}
