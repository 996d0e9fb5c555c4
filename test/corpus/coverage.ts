// Prints what the planner does with every corpus entry (planned / refused, with the first line of the
// refusal) and the totals, for the VirtualService corpus (entries/) and the HTTPRoute corpus
// (http-route/): the coverage figures of BENCHMARKS.md and the corpus README.
//   node test/corpus/coverage.ts [--json]
import { loadCorpus, planEntry, type Expectation, type Outcome } from './corpus.ts';
import { loadHttpRouteCorpus, planHttpRouteEntry } from './http-route.ts';

interface Row {
  id: string;
  outcome: string;
  expected: string;
  detail: string;
}

function rowsOf<E extends { id: string; expect: Expectation }>(entries: E[], plan: (entry: E) => Outcome): Row[] {
  return entries.map((entry) => {
    let outcome: string;
    let detail = '';
    try {
      const o = plan(entry);
      outcome = o.kind;
      if (o.kind === 'refused') detail = o.message.split('\n')[0]!;
    } catch (e) {
      outcome = 'error';
      detail = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    }
    return { id: entry.id, outcome, expected: typeof entry.expect === 'string' ? entry.expect : 'refused', detail };
  });
}

const corpora = {
  virtualService: rowsOf(loadCorpus(), planEntry),
  httpRoute: rowsOf(loadHttpRouteCorpus(), planHttpRouteEntry),
};

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(corpora, null, 2));
} else {
  for (const [name, rows] of Object.entries(corpora)) {
    console.log(`== ${name} corpus`);
    for (const r of rows) console.log(`${r.outcome.padEnd(8)} ${r.outcome === r.expected ? ' ' : '!'} ${r.id}${r.detail ? `\n           ${r.detail}` : ''}`);
    const count = (k: string) => rows.filter((r) => r.outcome === k).length;
    const asExpected = rows.filter((r) => r.outcome === r.expected).length;
    console.log(`\n${name}: ${rows.length} entries: ${count('planned')} planned, ${count('refused')} refused, ${count('error')} errors; ${asExpected} as the corpus expects\n`);
  }
}
