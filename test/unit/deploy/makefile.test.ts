/**
 * `make images` and `make push` need a Docker engine, which is not here: `make -n` prints the commands they
 * would run without running any, and this checks those commands, their tags and the refusals.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SHA = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();

/** The commands `make -n ...args` prints, one per line, and its exit status and errors. */
function dryRun(...args: string[]) {
  // without the caller's REGISTRY or IMAGE_TAG: make reads the environment too
  const { REGISTRY: _r, IMAGE_TAG: _t, ...env } = process.env;
  const result = spawnSync('make', ['-n', '--no-print-directory', ...args], { cwd: ROOT, encoding: 'utf8', env });
  return { status: result.status, commands: result.stdout.split('\n').filter(Boolean), stderr: result.stderr };
}

describe('make images', () => {
  it('builds both Dockerfiles, each tagged with the commit and latest', () => {
    expect(SHA).toMatch(/^[0-9a-f]{7,}$/);
    const { status, commands } = dryRun('images');
    expect(status).toBe(0);
    expect(commands).toEqual([
      `docker build -t cloudo-functions:${SHA} -t cloudo-functions:latest -f Dockerfile .`,
      `docker build -t cloudo-worker:${SHA} -t cloudo-worker:latest -f workers/Dockerfile .`,
    ]);
    expect(existsSync(path.join(ROOT, 'Dockerfile')) && existsSync(path.join(ROOT, 'workers/Dockerfile'))).toBe(true);
  });

  it('takes other image names and another tag from variables', () => {
    const { commands } = dryRun('images', 'FUNCTIONS_IMAGE_NAME=ops/fn', 'WORKER_IMAGE_NAME=ops/wk', 'IMAGE_TAG=v1.2');
    expect(commands).toEqual([
      'docker build -t ops/fn:v1.2 -t ops/fn:latest -f Dockerfile .',
      'docker build -t ops/wk:v1.2 -t ops/wk:latest -f workers/Dockerfile .',
    ]);
  });
});

describe('make push', () => {
  it('builds, then tags and pushes both images with both tags to the registry', () => {
    const { status, commands } = dryRun('push', 'REGISTRY=myregistry.azurecr.io');
    expect(status).toBe(0);
    const pushes = (name: string) =>
      [SHA, 'latest'].flatMap((tag) => [
        `docker tag ${name}:${tag} myregistry.azurecr.io/${name}:${tag}`,
        `docker push myregistry.azurecr.io/${name}:${tag}`,
      ]);
    expect(commands.filter((c) => c.startsWith('docker '))).toEqual([
      expect.stringMatching(/^docker build .* -f Dockerfile \.$/),
      expect.stringMatching(/^docker build .* -f workers\/Dockerfile \.$/),
      ...pushes('cloudo-functions'),
      ...pushes('cloudo-worker'),
    ]);
  });

  it('accepts the registry with a trailing slash without doubling it', () => {
    const { commands } = dryRun('push', 'REGISTRY=myregistry.azurecr.io/');
    expect(commands).toContain(`docker push myregistry.azurecr.io/cloudo-worker:${SHA}`);
    expect(commands.join('\n')).not.toContain('//');
  });

  it('refuses without REGISTRY, saying what to set, before building anything', () => {
    for (const args of [['push'], ['push', 'REGISTRY='], ['images', 'push']]) {
      const { status, commands, stderr } = dryRun(...args);
      expect(status).not.toBe(0);
      expect(stderr).toContain('make push needs REGISTRY');
      expect(stderr).toContain('make push REGISTRY=myregistry.azurecr.io');
      expect(commands).toEqual([]);
    }
  });

  it('refuses without a commit to tag with, rather than tagging an empty version', () => {
    const { status, commands, stderr } = dryRun('images', 'IMAGE_TAG=');
    expect(status).not.toBe(0);
    expect(stderr).toContain('no IMAGE_TAG');
    expect(commands).toEqual([]);
  });
});
