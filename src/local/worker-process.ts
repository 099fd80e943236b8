import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProcessSpec } from './supervisor.js';

export interface WorkerProcessOptions {
  readonly worker: string;
  /** Environment of the worker process (storage, namespace, runbook folder...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly onLine: (line: string) => void;
  /** The program and its arguments (default: the worker under this Node); tests run stand-ins. */
  readonly command?: readonly [string, ...string[]];
}

/**
 * The worker entry beside this file's tree: `.ts` under tsx, `.js` once built. A host that runs `.ts`
 * without tsx in its own flags (a test runner with a loader of its own) gives the worker tsx explicitly.
 */
function workerCommand(): [string, ...string[]] {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const loader = ext === 'ts' && !process.execArgv.some((arg) => arg.includes('tsx')) ? ['--import', 'tsx'] : [];
  return [
    process.execPath,
    ...process.execArgv,
    ...loader,
    fileURLToPath(new URL(`../../workers/main.${ext}`, import.meta.url)),
  ];
}

/**
 * One worker process per capability, the same program a container runs, for the Supervisor: restarted
 * when it dies (after 500 ms, doubled while it keeps crashing, back to 500 ms once it stayed up 30 s), and
 * given 35 s after SIGTERM, more than its own shutdown grace, to let its runs finish.
 */
export function workerProcess(options: WorkerProcessOptions): ProcessSpec {
  return {
    spawn: () => {
      const [program, ...args] = options.command ?? workerCommand();
      return spawn(program, args, {
        env: { ...options.env, CLOUDO_WORKER: options.worker },
        // the IPC channel lets the worker notice if this process dies
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        // its own process group: Ctrl-C reaches the stack, which stops workers gracefully, once
        detached: true,
      });
    },
    onLine: options.onLine,
    restart: { delayMs: 500, maxDelayMs: 30_000, stableAfterMs: 30_000 },
    stopTimeoutMs: 35_000,
  };
}
