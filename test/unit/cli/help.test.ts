// Every command answers --help with its flags and an example (exit 0), and --version the version.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The flags each command's parser accepts, as the help must list them. */
const FLAGS: Record<string, string[]> = {
  plan: ['--spec', '--virtual-service', '--destination-rule', '--canary', '--out'],
  run: ['--spec', '--canary', '--kubeconfig', '--prometheus-url', '--report', '--supersede', '--force-conflicts', '--holder-timeout'],
  status: ['--spec', '--canary', '--kubeconfig', '--json'],
  abort: ['--spec', '--canary', '--kubeconfig', '--report'],
};

describe('CLI help', () => {
  it.each(['plan', 'run', 'start', 'advance', 'promote', 'abort', 'status'])('%s --help and -h: usage, every flag, an example; exit 0', (command) => {
    for (const flag of ['--help', '-h']) {
      const r = cli(command, flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`usage: istio-canary ${command} `);
      expect(r.stdout).toMatch(new RegExp(`example:\\n  istio-canary ${command} --spec `));
      for (const f of FLAGS[command] ?? FLAGS.run!) expect(r.stdout).toContain(`  ${f}`);
    }
  });

  it('--help alone lists the commands; --version prints the version', () => {
    const help = cli('--help');
    expect(help.code).toBe(0);
    for (const command of ['plan', 'run', 'start', 'advance', 'promote', 'abort', 'status']) expect(help.stdout).toContain(`\n  ${command} `);
    expect(cli('--version')).toMatchObject({ code: 0, stdout: `istio-canary ${VERSION}\n` });
  });

  it('an unknown flag names it and shows that command\'s help (exit 2)', () => {
    const r = cli('status', '--bogus');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--bogus'");
    expect(r.stderr).toContain('usage: istio-canary status ');
  });
});
