import { describe, expect, it } from 'vitest';
import { checkActor, parseActors } from '../../../src/action/actors.ts';
import { InputError } from '../../../src/errors.ts';

describe('allowed-actors', () => {
  it('reads logins separated by commas, spaces or lines, with or without @', () => {
    expect(parseActors('alice, @bob\ncarol  dave')).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(parseActors('  ')).toEqual([]);
  });

  it('lets listed people advance and promote (logins compare case-insensitively)', () => {
    expect(() => checkActor('promote', 'alice, bob', 'Alice')).not.toThrow();
    expect(() => checkActor('advance', 'alice, bob', 'bob')).not.toThrow();
  });

  it('refuses anyone else with one error naming the input and who may', () => {
    expect(() => checkActor('promote', 'alice, bob', 'mallory')).toThrow(InputError);
    expect(() => checkActor('promote', 'alice, bob', 'mallory')).toThrow('input allowed-actors: mallory may not promote this release: only alice, bob may advance or promote it (abort stays open to everyone)');
  });

  it('refuses a re-run by someone not listed of a run an allowed person started (github.triggering_actor)', () => {
    expect(() => checkActor('promote', 'alice', 'alice', 'mallory')).toThrow('input allowed-actors: mallory may not promote this release');
    expect(() => checkActor('promote', 'alice, bob', 'alice', 'Bob')).not.toThrow();
    // Not on GitHub, or an older runner: only github.actor is known.
    expect(() => checkActor('promote', 'alice', 'alice', '')).not.toThrow();
    expect(() => checkActor('promote', 'alice', 'alice')).not.toThrow();
  });

  it('leaves abort, run, start and status open, and checks nothing without a list', () => {
    for (const command of ['abort', 'run', 'start', 'status'] as const) expect(() => checkActor(command, 'alice', 'mallory')).not.toThrow();
    expect(() => checkActor('promote', '', 'mallory')).not.toThrow();
  });
});
