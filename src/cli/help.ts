// What `istio-canary --help` and `istio-canary <command> --help` print: each command's flags and an
// example. Data only; main.ts and plan-command.ts print it.

const RELEASE_FLAGS = `  --spec FILE             Canary spec (YAML; several documents allowed)        (required)
  --canary NAME           which spec in the file (metadata.name), when it holds several
  --kubeconfig PATH       default: $KUBECONFIG, ~/.kube/config, in-cluster`;
const DRIVE_FLAGS = `  --prometheus-url URL    overrides spec.analysis.prometheus.url
  --report FILE           also write the markdown report to FILE
  --supersede             roll back a release of another version in progress, then start
  --force-conflicts       take over routes managed by a GitOps controller
  --holder-timeout DUR    take over a rollout whose holder has not renewed for this long (default 15m)
  --mode apply|commit     overrides spec.mode: commit = each routing change is a commit (spec.commit)
  --repository DIR|URL    commit mode: the checkout or remote (overrides spec.commit.repository)
  --branch NAME           commit mode: the branch (overrides spec.commit.branch)`;

interface CommandHelp {
  summary: string;
  usage: string;
  flags: string;
  example: string;
}

export const COMMAND_HELP: Record<string, CommandHelp> = {
  plan: {
    summary: 'print every stage\'s manifests and diff without touching a cluster',
    usage: 'istio-canary plan --spec FILE (--virtual-service FILE [--destination-rule FILE] | --http-route FILE...) [--canary NAME] [--out DIR]',
    flags: `  --spec FILE             Canary spec (YAML)                                    (required)
  --virtual-service FILE  the live VirtualService manifest       (required with routing virtualService)
  --destination-rule FILE the live DestinationRule manifest (absent: it will be created)
  --http-route FILE       the live HTTPRoute manifest            (required with routing httpRoute);
                          repeat it for files of the HTTPRoutes competing with it: every
                          HTTPRoute in the files joins the precedence proof
  --canary NAME           which spec in the file, when it holds several
  --out DIR               also write each stage's manifests and plan.json under DIR`,
    example: 'istio-canary plan --spec deploy/catalog.canary.yaml --virtual-service vs.yaml --destination-rule dr.yaml --out plan/',
  },
  run: {
    summary: 'the whole release: every stage, bake, judge, advance; ends promoted, paused or rolled back',
    usage: 'istio-canary run --spec FILE [flags]',
    flags: `${RELEASE_FLAGS}\n${DRIVE_FLAGS}`,
    example: 'istio-canary run --spec deploy/catalog.canary.yaml --prometheus-url http://localhost:9090',
  },
  start: {
    summary: 'apply the first stage and return',
    usage: 'istio-canary start --spec FILE [flags]',
    flags: `${RELEASE_FLAGS}\n${DRIVE_FLAGS}`,
    example: 'istio-canary start --spec deploy/catalog.canary.yaml',
  },
  advance: {
    summary: 'judge the current stage, then apply the next one (or promote after the last)',
    usage: 'istio-canary advance --spec FILE [flags]',
    flags: `${RELEASE_FLAGS}\n${DRIVE_FLAGS}`,
    example: 'istio-canary advance --spec deploy/catalog.canary.yaml --prometheus-url http://localhost:9090',
  },
  promote: {
    summary: 'send all traffic to the canary now, skipping the remaining stages and gates',
    usage: 'istio-canary promote --spec FILE [flags]',
    flags: `${RELEASE_FLAGS}\n${DRIVE_FLAGS}`,
    example: 'istio-canary promote --spec deploy/catalog.canary.yaml',
  },
  abort: {
    summary: 'roll back: all traffic of the owned route on stable, header rule and mirror removed',
    usage: 'istio-canary abort --spec FILE [--canary NAME] [--kubeconfig PATH] [--report FILE] [--holder-timeout DUR]',
    flags: `${RELEASE_FLAGS}\n  --report FILE           also write the markdown report to FILE`,
    example: 'istio-canary abort --spec deploy/catalog.canary.yaml',
  },
  status: {
    summary: 'show the rollout state',
    usage: 'istio-canary status --spec FILE [--canary NAME] [--kubeconfig PATH] [--json]',
    flags: `${RELEASE_FLAGS}\n  --json                  print the whole state as JSON`,
    example: 'istio-canary status --spec deploy/catalog.canary.yaml --json',
  },
};

export function commandHelp(command: string): string {
  const h = COMMAND_HELP[command]!;
  return `istio-canary ${command}: ${h.summary}\n\nusage: ${h.usage}\n\nflags:\n${h.flags}\n  -h, --help              show this help\n\nexample:\n  ${h.example}\n`;
}

export function generalHelp(): string {
  const commands = Object.entries(COMMAND_HELP).map(([name, h]) => `  ${name.padEnd(9)} ${h.summary}`).join('\n');
  return `usage: istio-canary <command> [flags]

commands:
${commands}

  istio-canary <command> --help   that command's flags and an example
  istio-canary --version          the version

exit codes: 0 promoted, paused or shown; 1 failed and rolled back; 2 invalid input or refused
before writing; 3 the cluster or Prometheus could not be reached and the state is unknown, or a
rollback is written but Istio has not accepted it (fix what it reports, then run abort)
`;
}
