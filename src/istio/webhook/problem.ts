// One finding of istiod's webhook rules, as our copy reports it.
export interface RuleProblem {
  /** Short rule id, named in bug reports for produced objects. */
  rule: string;
  path: string;
  message: string;
}

/** A rule's findings are collected into one list; `check` adds one when `message` is defined. */
export class Findings {
  readonly list: RuleProblem[] = [];
  add(rule: string, path: string, message: string): void {
    this.list.push({ rule, path, message });
  }
  check(rule: string, path: string, message: string | undefined): void {
    if (message !== undefined) this.add(rule, path, message);
  }
}

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function entries(v: unknown): Array<[string, unknown]> {
  return isObject(v) ? Object.entries(v) : [];
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Go's %q for the strings we quote in messages (ASCII-safe; Go escapes like JSON for the common cases). */
export function q(text: string): string {
  return JSON.stringify(text);
}
