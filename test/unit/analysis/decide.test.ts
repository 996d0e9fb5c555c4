import { describe, expect, it } from 'vitest';
import { decideStage, explainStageDecision } from '../../../src/analysis/decide.ts';
import type { CheckSpec, CheckVerdict, StageDecision, VerdictStatus } from '../../../src/analysis/types.ts';
import { analysis, check } from './fixtures.ts';

function verdict(name: string, status: VerdictStatus): CheckVerdict {
  return { check: name, status, threshold: 't', reason: `${name} was ${status}`, queries: [] };
}

/** One evaluation round per string; each letter is one check's status: p(ass), f(ail), n(o-data), u(nproven). */
function rounds(...letters: string[]): CheckVerdict[][] {
  const status: Record<string, VerdictStatus> = { p: 'pass', f: 'fail', n: 'no-data', u: 'unproven' };
  return letters.map((round) => [...round].map((l, i) => verdict(`c${i}`, status[l] ?? 'pass')));
}

const checks = (...specs: Array<Partial<CheckSpec>>) => analysis(specs.map((s, i) => check({ name: `c${i}`, ...s })));
const interim = { final: false, holdExpired: false };
const final = { final: true, holdExpired: false };
const finalHoldExpired = { final: true, holdExpired: true };

describe('decideStage', () => {
  it.each<[string, ReturnType<typeof checks>, CheckVerdict[][], typeof final, StageDecision]>([
    ['interim passes continue', checks({}), rounds('p', 'p'), interim, 'continue'],
    ['no evaluations yet continue', checks({}), rounds(), interim, 'continue'],
    ['one interim fail with failureLimit 1 fails fast', checks({ failureLimit: 1 }), rounds('p', 'f'), interim, 'fail'],
    ['one interim fail below failureLimit 2 continues', checks({ failureLimit: 2 }), rounds('f', 'p'), interim, 'continue'],
    ['failureLimit 2 reached by non-consecutive fails', checks({ failureLimit: 2 }), rounds('f', 'p', 'f'), interim, 'fail'],
    ['failures of another check do not add up', checks({ failureLimit: 2 }, { failureLimit: 2 }), rounds('fp', 'pf'), interim, 'continue'],
    ['interim no-data is neutral even with policy fail', checks({ noData: 'fail' }), rounds('n', 'n'), interim, 'continue'],
    ['final pass continues', checks({}), rounds('n', 'p'), final, 'continue'],
    ['final fail below failureLimit still fails', checks({ failureLimit: 3 }), rounds('p', 'f'), final, 'fail'],
    ['final no-data with policy fail fails', checks({ noData: 'fail' }), rounds('p', 'n'), final, 'fail'],
    ['final no-data with policy pass continues', checks({ noData: 'pass' }), rounds('n'), final, 'continue'],
    ['final no-data with policy hold holds', checks({ noData: 'hold' }), rounds('n'), final, 'hold'],
    ['final no-data with policy hold fails once the hold expired', checks({ noData: 'hold' }), rounds('n'), finalHoldExpired, 'fail'],
    ['a fail beats a hold', checks({ noData: 'hold' }, { failureLimit: 1 }), rounds('nf'), final, 'fail'],
    ['a hold beats a pass', checks({ noData: 'hold' }, {}), rounds('np'), final, 'hold'],
    ['failureLimit counts interim fails at the final evaluation', checks({ failureLimit: 2 }), rounds('f', 'f', 'p'), final, 'fail'],
    ['strict: a final unproven verdict holds, whatever the no-data policy', checks({ noData: 'pass' }), rounds('p', 'u'), final, 'hold'],
    ['strict: unproven fails once the hold expired', checks({ noData: 'pass' }), rounds('u'), finalHoldExpired, 'fail'],
    ['strict: a fail beats an unproven', checks({}, {}), rounds('uf'), final, 'fail'],
    ['a check missing from the final evaluation fails', checks({}, {}), [[verdict('c0', 'pass')]], final, 'fail'],
  ])('%s', (_, spec, evaluations, moment, expected) => {
    expect(decideStage(spec, evaluations, moment)).toBe(expected);
  });
});

describe('explainStageDecision', () => {
  it('names each check that failed or holds, with its reason', () => {
    const spec = checks({ failureLimit: 2 }, { noData: 'hold' }, { noData: 'fail' });
    expect(explainStageDecision(spec, rounds('fpp', 'fnn'), final)).toEqual({
      decision: 'fail',
      reasons: ['c0: failed 2 evaluation(s), limit 2', 'c2: no data (policy fail): c2 was no-data'],
    });
    expect(explainStageDecision(checks({ noData: 'hold' }), rounds('n'), final)).toEqual({
      decision: 'hold',
      reasons: ['c0: no data (c0 was no-data); holding the stage'],
    });
    expect(explainStageDecision(checks({ noData: 'hold' }), rounds('n'), finalHoldExpired).reasons).toEqual([
      'c0: no data and the hold expired: c0 was no-data',
    ]);
  });
});
