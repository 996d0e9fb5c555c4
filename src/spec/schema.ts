// The published JSON Schema, compiled once; it also fills the declared defaults into the document.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../schema/canary.schema.json' with { type: 'json' };

export const canarySchema: object = schema;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, useDefaults: true, strict: true, verbose: true }).compile(schema);
  return compiled;
}

/** Validates `data` in place (defaults are inserted) and returns the schema errors, if any. */
export function validateAgainstSchema(data: unknown): ErrorObject[] {
  const validate = validator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
