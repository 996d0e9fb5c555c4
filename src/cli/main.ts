// `istio-canary <command>`: thin entry. Parses flags, loads the spec, runs the engine, maps the
// outcome to the exit codes: 0 promoted/paused/shown, 1 failed and rolled back, 2 invalid input,
// 3 cluster or metrics unreachable and the state unknown, or a rollback written but not in effect.
import { parseArgs } from 'node:util';
import { InputError, describeError, exitCodeOf } from '../errors.ts';
import { loadCanarySpec } from '../spec/load.ts';
import { withModeOverrides } from '../spec/mode.ts';
import { runPlanCommand } from './plan-command.ts';
import { runRelease, type ReleaseCommand } from '../app/release.ts';
import { abortOnSignals } from '../app/signals.ts';
import { createConsoleLogger } from '../adapters/console-log.ts';
import { jsonLogSafe, logSafe } from '../adapters/log-safe.ts';
import { createFileReport } from '../adapters/file-report.ts';
import { exitCodeForStatus, outcomeLine } from '../app/outcome.ts';
import { parseDuration } from '../spec/duration.ts';
import { COMMAND_HELP, commandHelp, generalHelp } from './help.ts';
import packageJson from '../../package.json' with { type: 'json' };


const RELEASE_COMMANDS = new Set<ReleaseCommand>(['run', 'start', 'advance', 'promote', 'abort', 'status']);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    process.stdout.write(topic && Object.hasOwn(COMMAND_HELP, topic) ? commandHelp(topic) : generalHelp());
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    process.stdout.write(`istio-canary ${packageJson.version}\n`);
    return 0;
  }
  const io = { stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s) };
  if (command === 'plan') return runPlanCommand(rest, io);
  if (!RELEASE_COMMANDS.has(command as ReleaseCommand)) {
    throw new InputError({ path: 'command', message: `unknown command "${command}"; expected plan, ${[...RELEASE_COMMANDS].join(', ')} (istio-canary --help lists them)` });
  }
  const flags = parseReleaseFlags(command, rest);
  if (flags.help) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  const log = createConsoleLogger();
  const spec = withModeOverrides(await loadCanarySpec(flags.spec, flags.canary), {
    mode: flags.mode,
    repository: flags.repository,
    branch: flags.branch,
    names: { mode: '--mode', repository: '--repository', branch: '--branch' },
  });
  const signals = abortOnSignals(log);
  try {
    const result = await runRelease({
      spec,
      command: command as ReleaseCommand,
      kubeconfigPath: flags.kubeconfig,
      prometheusUrl: flags['prometheus-url'],
      supersede: flags.supersede,
      forceConflicts: flags['force-conflicts'],
      holderTimeoutMs: flags.holderTimeoutMs,
      log,
      reports: flags.report ? [createFileReport(flags.report)] : [],
      signal: signals.signal,
    });
    if (flags.json) process.stdout.write(`${jsonLogSafe(JSON.stringify(result.state, null, 2))}\n`);
    else process.stdout.write(logSafe(`${outcomeLine(spec, result)}\n`));
    if (result.failure) process.stderr.write(`${logSafe(result.failure)}\n`);
    return exitCodeForStatus(result.status, command as ReleaseCommand);
  } finally {
    signals.dispose();
  }
}

function parseReleaseFlags(command: string, args: string[]) {
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        spec: { type: 'string' },
        canary: { type: 'string' },
        kubeconfig: { type: 'string' },
        'prometheus-url': { type: 'string' },
        report: { type: 'string' },
        supersede: { type: 'boolean', default: false },
        'force-conflicts': { type: 'boolean', default: false },
        'holder-timeout': { type: 'string' },
        mode: { type: 'string' },
        repository: { type: 'string' },
        branch: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) return { ...values, spec: '', holderTimeoutMs: undefined };
    if (!values.spec) throw new InputError({ path: '--spec', message: `required: the Canary spec file\n\n${commandHelp(command)}` });
    return { ...values, spec: values.spec, holderTimeoutMs: values['holder-timeout'] === undefined ? undefined : parseDuration(values['holder-timeout'], '--holder-timeout') };
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError({ path: 'flags', message: `${describeError(e)}\n\n${commandHelp(command)}` });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${logSafe(`istio-canary: ${describeError(error)}`)}\n`);
    process.exitCode = exitCodeOf(error);
  },
);

