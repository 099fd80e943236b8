/**
 * A deployed worker sees the worker image's ENV overlaid by the env the Terraform module gives its Container
 * App. Neither can run here (no Docker, no Azure), so this reads both, stands in plausible values for the
 * Terraform expressions, and loads the worker settings from the result: the image and the module must not
 * contradict each other (an image RUNBOOKS_DIR next to the module's CLOUDO_GITHUB_REPO crash-looped every
 * worker: "set RUNBOOKS_DIR or CLOUDO_GITHUB_REPO, not both").
 */
import { readFileSync } from 'node:fs';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IsolatedRunsEnv, isolatedRunsSettings } from '../../../src/core/isolation-settings.js';
import { loadWorkerSettings } from '../../../src/core/worker-settings.js';
import { hclMapEntries, literal, placeholder } from '../../support/iac-values.js';
import { settingsProblems } from '../../support/settings-problems.js';

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

type Json = Record<string, unknown>;
type Block = Json[];

/** The ENV of a Dockerfile's last stage: `ENV A=1 B="x y"`, continuation lines, and the legacy `ENV A 1`. */
function imageEnv(dockerfile: string): Record<string, string> {
  const lines = dockerfile
    .replace(/\\\r?\n(?:[ \t]*#.*\r?\n)*/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const lastFrom = lines.map((line) => /^FROM\s/i.test(line)).lastIndexOf(true);
  const env: Record<string, string> = {};
  for (const line of lines.slice(Math.max(lastFrom, 0))) {
    const args = /^ENV\s+(.*)$/i.exec(line)?.[1];
    if (!args) continue;
    if (!/^[^\s=]+=/.test(args)) {
      const [name = '', ...value] = args.split(/\s+/);
      env[name] = value.join(' ');
      continue;
    }
    for (const m of args.matchAll(/([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|(?:[^\s\\]|\\.)*)/g)) {
      const raw = m[2] ?? '';
      env[m[1] ?? ''] = raw.startsWith("'") ? raw.slice(1, -1) : raw.replace(/^"(.*)"$/s, '$1').replace(/\\(.)/g, '$1');
    }
  }
  return env;
}

/** `"NAME" = value` pairs of `locals.worker_env`, whether hcl2json gave an object or an expression string. */
function workerEnvPairs(value: unknown): Map<string, string> {
  const pairs = new Map<string, string>();
  if (typeof value === 'string') {
    for (const [name, hcl] of hclMapEntries(value)) pairs.set(name, literal(hcl) ?? placeholder(name));
  } else if (value && typeof value === 'object') {
    for (const [name, v] of Object.entries(value)) {
      pairs.set(name, typeof v === 'string' && !v.includes('${') ? v : placeholder(name));
    }
  }
  return pairs;
}

/** The env the module gives a worker container: `locals.worker_env` and the container's own `env` blocks. */
async function moduleWorkerEnv(): Promise<Record<string, string>> {
  const parsed = (await parse('workers.tf', read('iac/workers.tf'))) as Json;
  const locals = Object.assign({}, ...((parsed.locals as Block | undefined) ?? [])) as Json;
  const app = ((parsed.resource as Record<string, Record<string, Block>>).azurerm_container_app?.worker ?? [])[0];
  const container = ((app?.template as Block | undefined)?.[0]?.container as Block | undefined)?.[0];
  if (!container) throw new Error('iac/workers.tf: azurerm_container_app.worker has no template.container');

  const env = new Map<string, string>();
  const value = (name: string, v: unknown) => (typeof v === 'string' && !v.includes('${') ? v : placeholder(name));
  for (const e of (container.env as Block | undefined) ?? []) env.set(String(e.name), value(String(e.name), e.value));
  for (const d of (container.dynamic as { env?: Block } | undefined)?.env ?? []) {
    if (String(d.for_each).includes('local.worker_env')) {
      for (const [name, v] of workerEnvPairs(locals.worker_env)) env.set(name, v);
      continue;
    }
    // a secret env (CLOUDO_GITHUB_TOKEN from Key Vault): its value is the secret
    for (const content of (d.content as Block | undefined) ?? []) {
      const name = String(content.name);
      if (!name.includes('${')) env.set(name, value(name, content.value));
    }
  }
  return Object.fromEntries(env);
}

describe('imageEnv', () => {
  it('reads ENV as Docker does, from the last stage only', () => {
    const dockerfile = [
      'FROM node AS build',
      'ENV BUILD_ONLY=1',
      'FROM node',
      'ENV A=1 B="two words" C=\'3\'',
      'ENV D=4 \\',
      '    # a comment inside the instruction',
      '    E=5',
      'ENV F six seven',
    ].join('\n');
    expect(imageEnv(dockerfile)).toEqual({ A: '1', B: 'two words', C: '3', D: '4', E: '5', F: 'six seven' });
  });
});

describe('worker image with the Terraform module env', () => {
  let image: Record<string, string>;
  let module: Record<string, string>;
  beforeAll(async () => {
    image = imageEnv(read('workers/Dockerfile'));
    module = await moduleWorkerEnv();
  });

  it('reads both sides', () => {
    expect(image.NODE_ENV).toBe('production');
    expect(module).toMatchObject({ CLOUDO_WORKER: 'Runbook', CLOUDO_GITHUB_REPO: 'acme/runbooks' });
    expect(Object.keys(module)).toEqual(expect.arrayContaining(['AzureWebJobsStorage__accountName']));
  });

  // Container Apps overlays the image's ENV with the container's env. An empty value may reach the process as
  // "" (blank, which the settings treat as unset) or be left out, keeping the image's value: both must load.
  const cases = [
    ['the module env overlaid as it is', (m: Record<string, string>) => m],
    [
      'empty module values left out',
      (m: Record<string, string>) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== '')),
    ],
  ] as const;
  it.each(cases)('loads, with runbooks from GitHub: %s', (_name, overlay) => {
    const env = { ...image, ...overlay(module) };
    expect(settingsProblems(() => loadWorkerSettings(env))).toEqual([]);
    const settings = loadWorkerSettings(env);
    expect(settings.runbooksDir).toBeNull();
    expect(settings.github).toMatchObject({ repo: 'acme/runbooks' });
  });

  it('gives isolated runs all a worker needs to make a run’s container group (src/core/isolation-settings.ts)', () => {
    const problems: string[] = [];
    const settings = isolatedRunsSettings(z.object(IsolatedRunsEnv).parse(module), problems);
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ resourceGroup: 'cloudo-prod-rg', location: 'westeurope', pollMs: 2_000 });
    expect(Object.keys(settings?.identities ?? {})).toContain('default');
  });
});
