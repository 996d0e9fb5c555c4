// The published JSON Schema, compiled once; it also fills the declared defaults into the document.
// The check types' part of it (the `type` enum, each type's sentence and own fields) comes from the
// check registry, so a new check type changes the schema by its file alone; schema/canary.schema.json
// is this schema as published (`node scripts/schema.ts` rewrites it, a unit test keeps them equal).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import published from '../../schema/canary.schema.json' with { type: 'json' };
import { CHECK_TYPES } from '../analysis/checks/registry.ts';

type JsonObject = Record<string, unknown>;

/** `a`, `b` or `c`. */
function wordList(names: string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** `schema` with its check definition taken from the check registry. */
export function withCheckTypes(schema: object): object {
  const built = structuredClone(schema) as JsonObject;
  const definitions = built.definitions as JsonObject;
  const check = definitions.check as JsonObject;
  const properties = check.properties as JsonObject;
  // A type the spec adds by itself (the egress gate, from `spec.egress`) is never written in `checks`.
  const written = CHECK_TYPES.filter((t) => !t.implicit);
  check.description = `One check. ${written.map((t) => t.schema.description).join(' ')}`;
  properties.type = { description: `${wordList(written.map((t) => `\`${t.name}\``))}.`, enum: written.map((t) => t.name) };
  for (const type of written) Object.assign(properties, type.schema.properties);
  return built;
}

export const canarySchema: object = withCheckTypes(published);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, useDefaults: true, strict: true, verbose: true }).compile(canarySchema);
  return compiled;
}

/** Validates `data` in place (defaults are inserted) and returns the schema errors, if any. */
export function validateAgainstSchema(data: unknown): ErrorObject[] {
  const validate = validator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
