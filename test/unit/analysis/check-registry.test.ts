// The check registry: every type is complete and reachable by its spec name, and the spec's schema
// takes the types from it.
import { describe, expect, test } from 'vitest';
import { CHECK_TYPES, checkType, findCheckType, ownFields } from '../../../src/analysis/checks/registry.ts';
import { withCheckTypes } from '../../../src/spec/schema.ts';

describe('check registry', () => {
  test('lists each type once, each with its sentence for the schema starting with its name', () => {
    const names = CHECK_TYPES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(['success-rate', 'latency-p99', 'custom', 'egress']);
    for (const type of CHECK_TYPES) expect(type.schema.description.startsWith(`\`${type.name}\`: `)).toBe(true);
  });

  test('finds a type by its spec name; an unknown name is undefined, or a TypeError for a parsed check', () => {
    expect(findCheckType('latency-p99')?.unit).toBe(' ms');
    expect(findCheckType('ingress')).toBeUndefined();
    expect(() => checkType({ name: 'x', type: 'ingress' })).toThrow('check x: unknown check type "ingress"');
  });

  test('the schema gets every type: its name in the enum, its sentence, its own fields', () => {
    const base = { definitions: { check: { description: '', properties: { name: { type: 'string' } } } } };
    const built = withCheckTypes(base) as typeof base & { definitions: { check: { properties: Record<string, { enum?: string[] }> } } };
    // The egress gate is added by spec.egress, never written: not in the schema.
    expect(built.definitions.check.properties.type!.enum).toEqual(['success-rate', 'latency-p99', 'custom']);
    expect(built.definitions.check.description).toContain('`custom`: a PromQL `query`');
    expect(Object.keys(built.definitions.check.properties).sort()).toEqual(['maxRatio', 'name', 'query', 'type']);
    expect(base.definitions.check.description).toBe('');
  });

  test("a type's own fields are the ones its schema entry declares, those that are set", () => {
    const latency = findCheckType('latency-p99')!;
    expect(ownFields(latency, { name: 'p99', type: 'latency-p99', max: 300, maxRatio: 2, query: 'up' })).toEqual({ maxRatio: 2 });
    expect(ownFields(findCheckType('custom')!, { name: 'c', type: 'custom', query: 'up', maxRatio: undefined })).toEqual({ query: 'up' });
    expect(ownFields(findCheckType('success-rate')!, { name: 's', type: 'success-rate', min: 99, query: 'up' })).toEqual({});
  });
});
