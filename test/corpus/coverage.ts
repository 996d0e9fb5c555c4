// Prints what the planner does with every corpus entry (planned / refused, with the first line of the
// refusal) and the totals: the coverage figure of BENCHMARKS.md and the corpus README.
//   node test/corpus/coverage.ts [--json]
import { loadCorpus, planEntry } from './corpus.ts';

const rows = loadCorpus().map((entry) => {
  let outcome: string;
  let detail = '';
  try {
    const o = planEntry(entry);
    outcome = o.kind;
    if (o.kind === 'refused') detail = o.message.split('\n')[0]!;
  } catch (e) {
    outcome = 'error';
    detail = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  }
  return { id: entry.id, outcome, expected: typeof entry.expect === 'string' ? entry.expect : 'refused', detail };
});

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  for (const r of rows) console.log(`${r.outcome.padEnd(8)} ${r.outcome === r.expected ? ' ' : '!'} ${r.id}${r.detail ? `\n           ${r.detail}` : ''}`);
  const count = (k: string) => rows.filter((r) => r.outcome === k).length;
  const asExpected = rows.filter((r) => r.outcome === r.expected).length;
  console.log(`\n${rows.length} entries: ${count('planned')} planned, ${count('refused')} refused, ${count('error')} errors; ${asExpected} as the corpus expects`);
}
