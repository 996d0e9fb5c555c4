// Interruptions on the real local mesh: the API server restarting mid-stage (the run rides it out, or
// a later invocation resumes where the lost one was), and SIGTERM at many moments of a release.
import { afterAll, describe, expect, it } from 'vitest';
import { loadCanarySpec } from '../../src/spec/load.ts';
import { runRelease } from '../../src/app/release.ts';
import { createConsoleLogger } from '../../src/adapters/console-log.ts';
import { seededRandom } from '../sim/rng.ts';
import { startPrivateApiserver, type PrivateApiserver } from './support/private-apiserver.ts';
import {
  assertOnStable,
  assertPromoted,
  disposedAfterAll,
  leaseHolder,
  newRelease,
  readDr,
  readVs,
  routesOf,
  runCli,
  spawnCli,
  stateOf,
  waitForStage,
  canonical,
  type Release,
} from './support/release-fixture.ts';
import { waitFor } from '../env/cluster.ts';

const STAGES = ['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100'];

const track = disposedAfterAll();

/** Stage ids of the history, in order: a stage run twice shows up twice. */
function stagesRecorded(release: Release) {
  return readVs(release).then((vs) => stateOf(vs)!.history.map((h) => h.stage));
}

describe('release on the local mesh: the API server restarts mid-stage', () => {
  let apiserver: PrivateApiserver | undefined;
  afterAll(async () => {
    await apiserver?.dispose();
  });

  // The simulator does not watch this API server, so it round-robins over v1 and v2: the canary
  // gets live traffic in every stage and its checks have data.
  async function cluster() {
    apiserver ??= await startPrivateApiserver();
    return { kubeconfig: apiserver.kubeconfig, kc: apiserver.kc };
  }

  it('a run whose API server is down for a while mid-stage and comes back with its data rides it out', async () => {
    // Refused connections while it is down, then (until its CRD handlers are installed) 503s as
    // kube-apiserver answers: the run retries its reads and writes and finishes, every stage once.
    const ridden = await track(newRelease('restart-ride', { cluster: await cluster(), spec: { bake: '5s' } }));
    const first = spawnCli(ridden, 'run');
    await waitForStage(ridden, '01-mirror');
    await apiserver!.kill();
    await new Promise((r) => setTimeout(r, 3_000)); // the outage itself, not a wait for a condition
    await apiserver!.restart();
    const firstResult = await first.done;
    expect(firstResult.stderr).not.toContain('rolling back');
    expect(firstResult.code).toBe(0);
    assertPromoted(ridden, await readVs(ridden));
    expect(await stagesRecorded(ridden)).toEqual([...STAGES, 'promoted']);
  });

  it('a run lost with its API server mid-stage is resumed by the next invocation at its stage, no stage doubled', async () => {
    // The API server crashes during stage 02-weight-10 and the runner is lost with it (SIGKILL: no
    // rollback). Once the API server is back, the state still says 02-weight-10 under the lost run:
    // a new run is refused while that holder is fresh, and a run with a short holder timeout takes
    // it over and resumes at 02-weight-10 without redoing earlier stages.
    const lost = await track(newRelease('restart-resume', { cluster: await cluster(), spec: { bake: '5s' } }));
    const doomed = spawnCli(lost, 'run');
    await waitForStage(lost, '02-weight-10');
    await apiserver!.kill();
    doomed.child.kill('SIGKILL');
    await doomed.done;
    await apiserver!.restart();
    const stranded = stateOf(await readVs(lost))!;
    expect(stranded).toMatchObject({ status: 'in-progress', stageIndex: 2 });
    const holder = await leaseHolder(lost);
    expect(holder).toMatch(/^cli-/);

    const refused = await runCli(lost, 'run');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`another run drives this rollout: ${holder}`);

    const logs: string[] = [];
    const resumed = await runRelease({
      spec: await loadCanarySpec(lost.specFile),
      command: 'run',
      kubeconfigPath: lost.kubeconfig,
      prometheusUrl: lost.env.prometheusUrl,
      holderTimeoutMs: 1_000,
      log: createConsoleLogger((line) => logs.push(line)),
      reports: [],
    });
    expect(resumed.status).toBe('promoted');
    expect(logs.join('\n')).toContain(`taking over the rollout from run ${holder}`);
    expect(logs.join('\n')).toContain('resuming at stage 02-weight-10');
    expect(logs.join('\n')).not.toMatch(/stage 0[01]-/);
    assertPromoted(lost, await readVs(lost));
    expect(await stagesRecorded(lost)).toEqual([...STAGES, 'promoted']);
  });
});

// --- SIGTERM ---

const SIGNAL_SEED = 20261125;
const TIMED_POINTS = 18;
const STARTUP_POINTS = 3;
const PARALLEL = 6;
/** Deadline of each wait for a moment of a release. Generous: six releases run side by side, on a
 * machine that may be shared (load average 10+ seen); a wait ends as soon as its condition holds. */
const MOMENT_DEADLINE_MS = 240_000;

interface SignalPoint {
  label: string;
  /** Resolves when the signal should be sent, or once `exited()` says the run is over (then no
   * signal is sent; a wait must not go on polling, or fail, after its run ended). */
  when: (release: Release, startedAt: number, exited: () => boolean) => Promise<void>;
}

/** Moments spread over the whole release, from the CLI's start-up to after promotion: a few in the
 * first 600 ms after the spawn (before any write on an idle machine), the rest over the ~13 s the
 * release takes from its first write (2 s bakes). Those count from the first write, not from the
 * spawn: on a loaded machine the start-up alone can take seconds, and moments counted from the spawn
 * would then all fall before the release began. */
function timedPoints(): SignalPoint[] {
  const random = seededRandom(SIGNAL_SEED);
  const underWay = TIMED_POINTS - STARTUP_POINTS;
  return Array.from({ length: TIMED_POINTS }, (_, i): SignalPoint => {
    // Stratified: one moment in each equal slice of 0..600 ms after the spawn, then of 0..16 s after the first write.
    if (i < STARTUP_POINTS) {
      const at = Math.round(((i + random()) * 600) / STARTUP_POINTS);
      return { label: `${at} ms after the spawn`, when: async (_release, startedAt) => void (await delayUntil(startedAt + at)) };
    }
    const at = Math.round(((i - STARTUP_POINTS + random()) * 16_000) / underWay);
    return { label: `${at} ms after the first write`, when: async (release, _startedAt, exited) => void (await firstWrite(release, exited), await delayUntil(Date.now() + at)) };
  });
}

/** Until the release's first write (the canary subset added to the DestinationRule), or the run exited. */
async function firstWrite(release: Release, exited: () => boolean): Promise<void> {
  await waitFor(async () => exited() || JSON.stringify((await readDr(release)).spec).includes('version-v2'), { timeoutMs: MOMENT_DEADLINE_MS, intervalMs: 20, what: `${release.ns}: the DR write` });
}

/** Moments tied to writes: right after the DestinationRule write (before the first VirtualService
 * write of the settle), and a few ms after each stage's VirtualService write. */
function writePoints(): SignalPoint[] {
  const random = seededRandom(SIGNAL_SEED + 1);
  const afterDr: SignalPoint = { label: 'right after the DestinationRule write', when: (release, _startedAt, exited) => firstWrite(release, exited) };
  const afterStage = STAGES.map((stage): SignalPoint => {
    const jitter = Math.round(random() * 300);
    return { label: `${jitter} ms after entering ${stage}`, when: async (release, _startedAt, exited) => void (await stageEntered(release, stage, exited), await delayUntil(Date.now() + jitter)) };
  });
  return [afterDr, ...afterStage];
}

/** Until the release has entered `stage` (seen while it runs, or in the history once it moved on:
 * a loaded machine may answer a poll after a 2 s stage is over), or the run has exited. */
async function stageEntered(release: Release, stage: string, exited: () => boolean): Promise<void> {
  await waitFor(async () => exited() || (stateOf(await readVs(release))?.history.some((h) => h.stage === stage) ?? false), {
    timeoutMs: MOMENT_DEADLINE_MS,
    intervalMs: 100,
    what: `${release.ns}: stage ${stage} entered`,
  });
}

function delayUntil(at: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
}

interface SignalOutcome {
  label: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  status: string | undefined;
  sent: boolean;
  stderr: string;
}

async function signalRun(point: SignalPoint): Promise<SignalOutcome> {
  // The checks run (queries, state writes) but a stage short of data passes: the signal is under test here.
  const checks = [{ name: 'success', type: 'success-rate', min: 95, minRequests: 3, noData: 'pass' }];
  const release = await track(newRelease('sigterm', { spec: { bake: '2s', settle: '300ms', checks }, load: { requestsPerSecond: 20, headerShare: 0.3 } }));
  const startedAt = Date.now();
  const run = spawnCli(release, 'run');
  let exited = false;
  void run.done.then(() => (exited = true));
  await Promise.race([point.when(release, startedAt, () => exited), run.done]);
  const sent = !exited && run.child.kill('SIGTERM');
  const result = await run.done;
  const vs = await readVs(release);
  const state = stateOf(vs);
  const outcome = { label: point.label, code: result.code, signal: result.signal, status: state?.status, sent, stderr: result.stderr };
  try {
    if (state?.status === 'promoted') {
      assertPromoted(release, vs);
      expect(result.code).toBe(0);
    } else {
      // Never left with canary traffic, a header rule or a mirror; the other route intact.
      assertOnStable(release, vs);
      if (state === undefined) {
        // Cancelled before the first write: the VirtualService is as the test created it.
        expect(canonical(routesOf(vs))).toBe(canonical(routesOf(release.initialVs)));
        // Killed by the default handler before ours was installed, or our "nothing was written" failure.
        expect(result.signal === 'SIGTERM' || result.code === 1).toBe(true);
      } else {
        expect(state).toMatchObject({ status: 'rolled-back' });
        expect(await leaseHolder(release)).toBeUndefined();
        expect(state.reason).toContain('cancelled by SIGTERM');
        expect(result.code).toBe(1);
      }
    }
  } catch (error) {
    throw new Error(`${point.label} (${release.ns}): ${error instanceof Error ? error.message : String(error)}\n${result.stderr}`);
  }
  return outcome;
}

describe('release on the local mesh: SIGTERM at any moment', () => {
  it(`ends on stable (or promoted) with every route kept, for ${TIMED_POINTS} timed moments and 6 write moments`, async () => {
    const points = [...timedPoints(), ...writePoints()];
    expect(points.length).toBeGreaterThanOrEqual(20);
    const outcomes: SignalOutcome[] = [];
    for (let i = 0; i < points.length; i += PARALLEL) {
      // Each batch waits for conditions (deadline MOMENT_DEADLINE_MS each), never for a fixed time.
      outcomes.push(...(await Promise.all(points.slice(i, i + PARALLEL).map(signalRun))));
    }
    console.log(outcomes.map((o) => `${o.label}: ${o.status ?? 'nothing written'}, exit ${o.code ?? o.signal}${o.sent ? '' : ' (done before the signal)'}`).join('\n'));
    // The moments did spread over the release: some before any write, some mid-release, some after promotion.
    const kinds = new Set(outcomes.map((o) => o.status ?? 'nothing written'));
    expect(kinds).toContain('rolled-back');
    expect(outcomes.filter((o) => o.status === 'rolled-back').length).toBeGreaterThanOrEqual(10);
  }, 1_200_000);
});
