/**
 * `npm run package`: the Functions app as one zip for zip deployment (`az functionapp deployment source
 * config-zip --src dist/cloudo-functions.zip`, or Terraform's `zip_deploy_file`). It holds what the host loads
 * and nothing else: package.json (its `main`, dist/src/index.js, registers every function), host.json, the
 * compiled dist/ and the production node_modules.
 *
 *   npm run package [-- --out PATH]      (default dist/cloudo-functions.zip)
 *
 * Everything is built in a staging folder, not in the working tree: a fresh compile (no stale dist/ files
 * from a deleted source), and `npm ci --omit=dev` from the lock file, so the zip has exactly the locked
 * production dependencies whatever is installed here. Zipped with the system `zip` (Info-ZIP).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
/** Copied as they are; package-lock.json only for `npm ci`, it is not zipped. */
const MANIFESTS = ['package.json', 'package-lock.json', 'host.json'];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist/cloudo-functions.zip' } } });
  const out = path.resolve(ROOT, values.out);
  const started = Date.now();
  const staging = await mkdtemp(path.join(os.tmpdir(), 'cloudo-package-'));
  try {
    for (const file of MANIFESTS) await copyFile(path.join(ROOT, file), path.join(staging, file));
    // the same compile as `npm run build`, written into the staging folder
    await run(
      path.join(ROOT, 'node_modules/.bin/tsc'),
      ['-p', 'tsconfig.build.json', '--outDir', path.join(staging, 'dist')],
      {
        cwd: ROOT,
      },
    );
    // no install scripts: no production dependency has one, and a package step should not run code it fetched
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: staging,
    });
    // .bin holds symlinks to CLIs, which the host never runs; the lock file served npm ci
    await rm(path.join(staging, 'node_modules/.bin'), { recursive: true, force: true });
    await rm(path.join(staging, 'package-lock.json'));

    await mkdir(path.dirname(out), { recursive: true });
    await rm(out, { force: true });
    // -X: no extra file attributes (uid/gid), so the zip depends on the files only
    await run('zip', ['-q', '-r', '-X', out, 'package.json', 'host.json', 'dist', 'node_modules'], {
      cwd: staging,
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new Error('`zip` is not installed: apt-get install zip (or brew install zip)');
      throw err;
    });
    const { size } = await stat(out);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${path.relative(process.cwd(), out) || out}: ${(size / 1024 / 1024).toFixed(1)} MiB in ${seconds} s`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`cannot package the Functions app: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
