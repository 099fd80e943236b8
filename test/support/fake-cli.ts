import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** One call of a fake tool, as it logged itself. */
export const FakeCliCall = z.object({
  tool: z.enum(['az', 'kubelogin', 'kubectl']),
  /**
   * The arguments exactly as the process received them (no shell in between would have changed them): what
   * any other user on the host reads in /proc/<pid>/cmdline while the command runs.
   */
  argv: z.array(z.string()),
  /**
   * The arguments the command acted on: for az, after its own `@<file>` expansion (the file's content,
   * trailing newlines removed); the same as argv for kubelogin and kubectl.
   */
  expandedArgv: z.array(z.string()),
  /** Names of the managed-identity variables (IDENTITY_*, MSI_*) in the process's environment. */
  identityEnv: z.array(z.string()),
  /** AZURE_CONFIG_DIR, KUBECONFIG and AZURE_CORE_COLLECT_TELEMETRY as the process saw them ('' when unset). */
  azureConfigDir: z.string(),
  kubeconfigEnv: z.string(),
  telemetry: z.string(),
  cwd: z.string(),
});
export type FakeCliCall = z.infer<typeof FakeCliCall>;

/**
 * How the fakes behave, per environment (so two concurrent runs may differ). A command is named by its
 * tool and first argument: `az login`, `az aks`, `kubelogin convert-kubeconfig`, `kubectl config`, or just the tool.
 */
export interface FakeCliBehaviour {
  /** This command writes a dozen lines (one holding a bearer token) to stderr and exits 1. */
  readonly fail?: string;
  /** This command waits for a child `sleep 30`, whose pid goes to `<log>.pids`. */
  readonly hang?: string;
  /** The hanging command and its child ignore SIGTERM, so only SIGKILL ends them. */
  readonly ignoreTerm?: boolean;
  /** Every command sleeps this long before doing anything, so that concurrent runs overlap. */
  readonly delayMs?: number;
}

export interface FakeCli {
  /** Holds `az`, `kubelogin` and `kubectl`; `env()` puts it first on PATH. */
  readonly binDir: string;
  /** HOME of the fakes' environment: a run that leaked az state would leave `<home>/.azure` behind. */
  readonly home: string;
  /** Where every call appends one JSON line. */
  readonly logFile: string;
  /** A run environment (PATH, HOME, the log) in which `az`, `kubelogin` and `kubectl` are the fakes. */
  env(behaviour?: FakeCliBehaviour): Record<string, string>;
  /** Calls so far, in the order they started. */
  calls(): Promise<FakeCliCall[]>;
  /** Pids of the `sleep` children of hanging commands. */
  hangPids(): Promise<number[]>;
  remove(): Promise<void>;
}

/**
 * Shared by all the tools (it switches on its own name). Arguments are JSON-encoded in bash, with no external
 * tool, so the log shows each argument byte for byte. The az fake expands `@<file>` values as azure-cli's
 * `_expand_file_prefixed_files` does (a value, or the part after an option's first '=', that starts with '@'
 * becomes the file's content, or stdin's for `@-`, without trailing newlines; a file it cannot read leaves
 * the value as it was),
 * so a test sees both what `ps` showed and what az logged in with. It keeps state where the real one does
 * (AZURE_CONFIG_DIR, else ~/.azure) and refuses get-credentials before a login there, so a test sees
 * which directory a run used. A template literal cannot hold a bare dollar-brace, so the text spells it with a
 * backslash, removed afterwards.
 */
const SCRIPT = String.raw`#!/usr/bin/env bash
set -u
export LC_ALL=C
tool="$(basename "$0")"
cmd="$tool \${1:-}"

# json VALUE: sets J to VALUE as a JSON string (builtins only: a fork per argument would make every call slow)
json() {
  local s="$1" code hex ch esc
  s="\${s//\\/\\\\}"; s="\${s//\"/\\\"}"
  s="\${s//$'\n'/\\n}"; s="\${s//$'\r'/\\r}"; s="\${s//$'\t'/\\t}"
  if [[ "$s" == *[$'\x01'-$'\x1f']* ]]; then
    for code in {1..31}; do
      printf -v hex '%02x' "$code"; printf -v ch "\\x$hex"
      printf -v esc '\\u%04x' "$code"
      s="\${s//"$ch"/"$esc"}"
    done
  fi
  J="\"$s\""
}

# load VALUE: sets L to VALUE, or to the file's content when VALUE is @<readable file>, or to stdin when
# it is @- (az's rule)
load() {
  L="$1"
  if [[ "$L" == @- ]]; then
    L="$(cat)"
  elif [[ "$L" == @?* && -f "\${L:1}" && -r "\${L:1}" ]]; then
    L="$(< "\${L:1}")"
  fi
}

expanded=()
for a in "$@"; do
  if [[ "$tool" != az ]]; then expanded+=("$a"); continue; fi
  if [[ "$a" == *=* ]]; then load "\${a#*=}"; expanded+=("\${a%%=*}=$L"); else load "$a"; expanded+=("$L"); fi
done

json "$tool"; line="{\"tool\":$J,\"argv\":["
sep=""
for a in "$@"; do json "$a"; line+="$sep$J"; sep=","; done
line+="],\"expandedArgv\":["
sep=""
for a in "\${expanded[@]}"; do json "$a"; line+="$sep$J"; sep=","; done
line+="],\"identityEnv\":["
sep=""
# this script sets none of these itself, so every one came from its environment
for a in \${!IDENTITY_*} \${!MSI_*}; do json "$a"; line+="$sep$J"; sep=","; done
json "\${AZURE_CONFIG_DIR:-}"; line+="],\"azureConfigDir\":$J"
json "\${KUBECONFIG:-}"; line+=",\"kubeconfigEnv\":$J"
json "\${AZURE_CORE_COLLECT_TELEMETRY:-}"; line+=",\"telemetry\":$J"
json "$PWD"; line+=",\"cwd\":$J}"
printf '%s\n' "$line" >> "$FAKE_CLI_LOG"
# from here on the command acts on what az would have read
set -- "\${expanded[@]}"

matches() { [[ -n "$1" && ( "$1" == "$cmd" || "$1" == "$tool" ) ]]; }

if [[ -n "\${FAKE_CLI_DELAY_S:-}" ]]; then sleep "$FAKE_CLI_DELAY_S"; fi
if matches "\${FAKE_CLI_HANG:-}"; then
  if [[ -n "\${FAKE_CLI_IGNORE_TERM:-}" ]]; then trap '' TERM; fi
  sleep 30 &
  printf '%s\n' "$!" >> "$FAKE_CLI_LOG.pids"
  wait
  exit 0
fi
if matches "\${FAKE_CLI_FAIL:-}"; then
  for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "progress line $i" >&2; done
  echo "DEBUG: Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtc2kifQ.c2lnbmF0dXJl" >&2
  echo "ERROR: (ResourceNotFound) fake failure of $cmd" >&2
  echo "Code: ResourceNotFound" >&2
  exit 1
fi

# the value after option $1 in the rest of the arguments
opt() {
  local want="$1"; shift
  while [[ $# -gt 0 ]]; do
    if [[ "$1" == "$want" && $# -gt 1 ]]; then printf '%s' "$2"; return; fi
    shift
  done
}

config_dir="\${AZURE_CONFIG_DIR:-$HOME/.azure}"
case "$cmd" in
  "az login")
    token="$(opt --federated-token "$@")"
    if [[ " $* " == *" --federated-token "* && ( -z "$token" || "$token" == @* ) ]]; then
      # az sends a value whose file it could not read as it is, and Entra refuses it, or an empty one
      echo "ERROR: AADSTS50027: JWT token is invalid or malformed." >&2
      exit 1
    fi
    mkdir -p "$config_dir"
    printf '{"identity":"%s"}\n' "$(opt --client-id "$@")$(opt --username "$@")" > "$config_dir/azureProfile.json"
    ;;
  "az aks")
    if [[ ! -f "$config_dir/azureProfile.json" ]]; then
      echo "ERROR: Please run 'az login' to setup account." >&2
      exit 1
    fi
    name="$(opt --name "$@")"
    file="$(opt --file "$@")"
    printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: %s\n  cluster:\n    server: https://%s.hcp.example.azmk8s.io:443\nusers:\n- name: clusterUser_%s_%s\n  user:\n    exec:\n      command: kubelogin\n      args: [get-token, --login, devicecode]\n' \
      "$name" "$name" "$(opt --resource-group "$@")" "$name" > "$file"
    ;;
  "kubelogin convert-kubeconfig")
    file="$(opt --kubeconfig "$@")"
    if [[ ! -f "$file" ]]; then echo "Error: kubeconfig $file not found" >&2; exit 1; fi
    printf '# converted: --login %s --client-id %s\n' "$(opt -l "$@")" "$(opt --client-id "$@")" >> "$file"
    ;;
  "kubectl config")
    # only what the worker calls: set-context --current --namespace=NS, on the file --kubeconfig names
    file="$(opt --kubeconfig "$@")"
    if [[ "\${2:-}" != set-context ]]; then echo "fake kubectl: unsupported command: $*" >&2; exit 2; fi
    if [[ ! -f "$file" ]]; then echo "error: open $file: no such file or directory" >&2; exit 1; fi
    ns=""
    for a in "$@"; do if [[ "$a" == --namespace=* ]]; then ns="\${a#--namespace=}"; fi; done
    printf '# namespace: %s\n' "$ns" >> "$file"
    ;;
  *)
    echo "fake $tool: unsupported command: $*" >&2
    exit 2
    ;;
esac
`.replaceAll('\\${', '${');

/** Writes fake `az`, `kubelogin` and `kubectl` into a fresh temporary bin directory. */
export async function installFakeCli(): Promise<FakeCli> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cloudo-fake-cli-'));
  const binDir = path.join(root, 'bin');
  const home = path.join(root, 'home');
  const logFile = path.join(root, 'calls.jsonl');
  await Promise.all([mkdir(binDir), mkdir(home)]);
  for (const tool of ['az', 'kubelogin', 'kubectl']) {
    const file = path.join(binDir, tool);
    await writeFile(file, SCRIPT);
    await chmod(file, 0o755);
  }
  const readLines = async (file: string) => {
    try {
      return (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
    } catch {
      return [];
    }
  };
  return {
    binDir,
    home,
    logFile,
    env(behaviour = {}) {
      const env: Record<string, string> = {
        PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: home,
        FAKE_CLI_LOG: logFile,
      };
      if (behaviour.fail) env.FAKE_CLI_FAIL = behaviour.fail;
      if (behaviour.hang) env.FAKE_CLI_HANG = behaviour.hang;
      if (behaviour.ignoreTerm) env.FAKE_CLI_IGNORE_TERM = '1';
      if (behaviour.delayMs) env.FAKE_CLI_DELAY_S = String(behaviour.delayMs / 1000);
      return env;
    },
    async calls() {
      return (await readLines(logFile)).map((line) => FakeCliCall.parse(JSON.parse(line)));
    },
    async hangPids() {
      return (await readLines(`${logFile}.pids`)).map(Number);
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** The workers' managed identity as Container Apps gives it: what no run, nor any command of one, may get. */
export const WORKER_MANAGED_IDENTITY_ENV = {
  IDENTITY_ENDPOINT: 'http://localhost:42356/msi/token',
  IDENTITY_HEADER: 'worker-msi-header-must-not-leak',
  MSI_ENDPOINT: 'http://localhost:42356/msi/token',
  MSI_SECRET: 'worker-msi-header-must-not-leak',
} as const;

/**
 * `az login` as a run's own identity with its federated token (a value, `@<file>` or `@-`), then `rest`:
 * how cloudo-az-login and the worker's AKS login both call it.
 */
export function federatedLoginArgs(clientId: string, tenantId: string, token: string, rest: readonly string[]) {
  return [
    'login',
    '--service-principal',
    '--username',
    clientId,
    '--tenant',
    tenantId,
    '--federated-token',
    token,
    '--allow-no-subscriptions',
    ...rest,
  ];
}
