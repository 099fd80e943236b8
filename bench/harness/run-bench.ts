/** Runs one bench in a process of its own and collects the figures it reports (bench/report.ts). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FIGURES_FILE_ENV, parseFigureLines, QUICK_ENV } from '../report.js';
import type { BenchEntry } from './benches.js';
import type { BenchOutcome } from './results.js';

export interface RunBenchOptions {
  readonly quick: boolean;
  /** The environment the harness was started with; a variable set there wins over the quick sizes. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

const STDERR_TAIL_BYTES = 4000;

export async function runBench(entry: BenchEntry, options: RunBenchOptions): Promise<BenchOutcome> {
  const base = { name: entry.name, file: entry.file, signal: null };
  if (!existsSync(path.join(options.cwd, entry.file))) {
    return { ...base, status: 'missing', exitCode: null, durationMs: 0, figures: [], error: 'file not found' };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-bench-figures-'));
  const figuresFile = path.join(dir, `${entry.name}.jsonl`);
  const env: NodeJS.ProcessEnv = {
    ...(options.quick ? entry.quickEnv : {}),
    ...options.env,
    [FIGURES_FILE_ENV]: figuresFile,
    [QUICK_ENV]: options.quick ? '1' : '0',
  };
  const t0 = performance.now();
  try {
    const { exitCode, signal, stderrTail } = await spawnTsx(entry.file, env, options.cwd);
    const durationMs = performance.now() - t0;
    const text = existsSync(figuresFile) ? await readFile(figuresFile, 'utf8') : '';
    let figures: BenchOutcome['figures'] = [];
    let error: string | null = null;
    try {
      figures = parseFigureLines(text);
    } catch (err) {
      // a bench writing garbage is a bench bug: shown as a crash, not hidden
      error = err instanceof Error ? err.message : String(err);
    }
    const ok = exitCode === 0 && error === null;
    return {
      ...base,
      status: ok ? 'ok' : 'crashed',
      exitCode,
      signal,
      durationMs,
      figures,
      error: ok ? null : (error ?? (stderrTail.trim() || null)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Exit {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
}

/** The bench's output goes straight to the terminal (it is the reader's progress); stderr is also kept. */
function spawnTsx(file: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Exit> {
  const tsx = path.join(cwd, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [file], { cwd, env, stdio: ['ignore', 'inherit', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal, stderrTail: tail }));
  });
}
