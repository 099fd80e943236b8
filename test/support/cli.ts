import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const CLI = path.resolve('bin/cloudo.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `cloudo` command (bin/cloudo.js) with only `env` and PATH. With `input`, that is its
 * stdin, then closed; without, stdin stays open and empty.
 */
export function cloudo(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH, ...env }, cwd: os.tmpdir() },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
