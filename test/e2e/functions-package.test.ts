import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean }>;
};

/**
 * `npm run package` as a deployment runs it, into a temporary folder; the zip is then read, unpacked away
 * from the repo (no node_modules above it to fall back on) and its entry loaded as the Functions host would.
 */
describe('npm run package (the Functions zip)', () => {
  let work: string;
  let zip: string;
  let unpacked: string;
  let entries: string[];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'cloudo-package-test-'));
    zip = path.join(work, 'cloudo-functions.zip');
    await run('npm', ['run', '-s', 'package', '--', '--out', zip], { cwd: ROOT });
    entries = (await run('unzip', ['-Z1', zip], { maxBuffer: 64 * 1024 * 1024 })).stdout.split('\n');
    unpacked = path.join(work, 'wwwroot');
    await run('unzip', ['-q', zip, '-d', unpacked]);
  }, 180_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('holds package.json with its main, host.json and the compiled entry at the root', () => {
    expect(entries).toEqual(expect.arrayContaining(['package.json', 'host.json', 'dist/src/index.js']));
    const packaged = JSON.parse(readFileSync(path.join(unpacked, 'package.json'), 'utf8')) as { main: string };
    expect(packaged.main).toBe('dist/src/index.js');
    expect(existsSync(path.join(unpacked, packaged.main))).toBe(true);
    // nothing but what the host loads: no sources, tests, lock file or local settings
    const roots = new Set(entries.filter(Boolean).map((e) => e.split('/')[0]));
    expect([...roots].sort()).toEqual(['dist', 'host.json', 'node_modules', 'package.json']);
  });

  it('has every production dependency and no development one', () => {
    for (const dep of Object.keys(manifest.dependencies)) {
      expect(existsSync(path.join(unpacked, 'node_modules', dep, 'package.json')), dep).toBe(true);
    }
    for (const dep of ['vitest', '@biomejs/biome', 'playwright-core', 'typescript', 'tsx', 'azurite']) {
      expect(existsSync(path.join(unpacked, 'node_modules', dep)), dep).toBe(false);
    }
    // and nothing the lock file marks dev-only, transitive ones included
    const devOnly = Object.entries(lock.packages).filter(([name, p]) => name && p.dev);
    expect(devOnly.length).toBeGreaterThan(100);
    const shipped = devOnly.filter(([name]) => existsSync(path.join(unpacked, name))).map(([name]) => name);
    expect(shipped).toEqual([]);
  });

  it('loads its entry with the production modules alone (outside the host, registration is a no-op)', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['-e', 'import(require("path").resolve(require("./package.json").main)).then(() => console.log("loaded"))'],
      { cwd: unpacked, env: { PATH: process.env.PATH } },
    );
    expect(stdout.trim().split('\n').at(-1)).toBe('loaded');
    // @azure/functions says it registers nothing without a host: the registrations ran
    expect(stderr).toContain('Skipping call to register function "Trigger"');
  });

  it('stays small enough to deploy quickly', async () => {
    const { size } = await stat(zip);
    expect(size).toBeLessThan(40 * 1024 * 1024);
  });
});
