/**
 * docker-compose.yml and the two Dockerfiles cannot be run here (no Docker engine), so this reads them and
 * checks them against the code: the variables compose sets are the ones src/core/settings.ts and worker-settings.ts read, the
 * services load with them, and the images start files that the build produces.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseSchemasFile } from '../../../src/core/runbook-schema.js';
import { FunctionsEnv, loadAppSettings } from '../../../src/core/settings.js';
import { loadWorkerSettings, WorkerEnv } from '../../../src/core/worker-settings.js';
import { settingsProblems } from '../../support/settings-problems.js';

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const exists = (path: string) => existsSync(new URL(path, ROOT));

const Service = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), dockerfile: z.string() }).optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  // quoted strings only: compose would accept numbers, but a YAML 010 or 1e3 is not what it looks like
  environment: z.record(z.string(), z.string()).default({}),
  ports: z.array(z.string()).default([]),
  volumes: z.array(z.string()).default([]),
  stop_grace_period: z.string().optional(),
});
type Service = z.infer<typeof Service>;
const ComposeFile = z.object({ services: z.record(z.string(), Service) });

// compose resolves `<<: *anchor` merge keys (YAML 1.1); the yaml package does only when asked
const compose = ComposeFile.parse(parse(read('docker-compose.yml'), { merge: true }));
const services = Object.entries(compose.services);
const WORKER_DOCKERFILE = 'workers/Dockerfile';
/** Services that run the worker image's own CMD (the schemas import overrides it with the CLI). */
const workerServices = services.filter(([, s]) => s.build?.dockerfile === WORKER_DOCKERFILE && !s.command);
const functionsService = compose.services.functions;

/** Every variable the functions app and the workers read, from the shapes they read their environment with. */
function settingNamesInCode(): Set<string> {
  return new Set([...Object.keys(FunctionsEnv), ...Object.keys(WorkerEnv)]);
}
const CODE_NAMES = settingNamesInCode();
/** Read by the Azure Functions host itself, not by our code. */
const FUNCTIONS_HOST_NAMES = new Set(['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsFeatureFlags']);

/** `builtFrom('dist/workers/main.js')` → `workers/main.ts`, if tsconfig.build.json compiles that folder. */
function builtFrom(jsPath: string): string | null {
  const build = JSON.parse(read('tsconfig.build.json')) as { include: string[]; compilerOptions?: { outDir?: string } };
  const base = JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string; rootDir: string } };
  const outDir = (build.compilerOptions?.outDir ?? base.compilerOptions.outDir).replace(/^\.\//, '');
  // with rootDir "." the output mirrors the repo: workers/main.ts → dist/workers/main.js
  if (base.compilerOptions.rootDir !== '.') throw new Error('tsconfig.json rootDir changed: update builtFrom()');
  const match = new RegExp(`^${outDir}/(.+)\\.js$`).exec(jsPath.replace(/^\.\//, ''));
  const source = match ? `${match[1]}.ts` : null;
  if (!source || !exists(source)) return null;
  return build.include.some((folder) => source.startsWith(`${folder}/`)) ? source : null;
}

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
/** Dockerfile instructions, continuation lines joined, comments dropped. */
function readDockerfile(path: string): Instruction[] {
  return read(path)
    .replace(/\\\n(\s*#.*\n)*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}
const argsOf = (instructions: Instruction[], keyword: string) =>
  instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
/** The instructions of the last stage: what the image is. */
const finalStage = (instructions: Instruction[]) =>
  instructions.slice(instructions.map((i) => i.keyword).lastIndexOf('FROM'));
/** Resolves `FROM ${NAME}` through the file's `ARG NAME=default`. */
function baseImageOf(instructions: Instruction[]): string {
  const from = finalStage(instructions)[0]?.args.split(/\s+/)[0] ?? '';
  return from.replace(/^\$\{(\w+)\}$/, (_, name: string) => {
    const arg = argsOf(instructions, 'ARG').find((a) => a.startsWith(`${name}=`));
    return arg ? arg.slice(name.length + 1) : from;
  });
}

describe('docker-compose.yml', () => {
  it('has Azurite, the functions app, a worker and the one-shot schemas import', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['azurite', 'functions', 'worker-runbook', 'schemas']),
    );
    expect(workerServices.length).toBeGreaterThan(0);
  });

  it('sets only variables that the code (or the Functions host) reads', () => {
    expect(CODE_NAMES).toContain('AzureWebJobsStorage');
    expect(CODE_NAMES).toContain('CLOUDO_WORKER');
    expect(CODE_NAMES).toContain('AzureWebJobsStorage__accountName');
    const unknown = services.flatMap(([name, service]) =>
      Object.keys(service.environment)
        .filter((key) => !CODE_NAMES.has(key) && !(name === 'functions' && FUNCTIONS_HOST_NAMES.has(key)))
        .map((key) => `${name}: ${key}`),
    );
    expect(unknown).toEqual([]);
  });

  it('gives every ClouDO service the same storage account and namespace', () => {
    const storageOf = (s: Service) => [s.environment.AzureWebJobsStorage, s.environment.CLOUDO_STORAGE_NAMESPACE];
    const clouDoServices = services.filter(([name]) => name !== 'azurite');
    const distinct = new Set(clouDoServices.map(([, s]) => JSON.stringify(storageOf(s))));
    expect(distinct.size).toBe(1);
    expect(functionsService?.environment.AzureWebJobsStorage).toContain('http://azurite:10001/devstoreaccount1');
  });

  describe.each(workerServices)('worker service %s', (name, service) => {
    it('sets every setting the worker requires, and loads with them', () => {
      const problemsWithNothing = settingsProblems(() => loadWorkerSettings({}));
      // a problem names its variable first ("CLOUDO_WORKER is missing: ..."); alternatives come later
      const required = [...CODE_NAMES].filter((name) => problemsWithNothing.some((p) => p.startsWith(`${name} `)));
      expect(required).toEqual(expect.arrayContaining(['AzureWebJobsStorage', 'CLOUDO_WORKER', 'RUNBOOKS_DIR']));
      expect(Object.keys(service.environment)).toEqual(expect.arrayContaining(required));
      expect(settingsProblems(() => loadWorkerSettings(service.environment))).toEqual([]);
    });

    it('writes out the code defaults, not stale copies of them', () => {
      const settings = loadWorkerSettings(service.environment);
      // the wake-up settings have no default to copy: they say where this worker is reached
      const requiredOnly = Object.fromEntries(
        [
          'AzureWebJobsStorage',
          'CLOUDO_STORAGE_NAMESPACE',
          'CLOUDO_WORKER',
          'RUNBOOKS_DIR',
          'CLOUDO_WAKE_KEY',
          'CLOUDO_WAKE_PORT',
          'CLOUDO_WAKE_URL',
        ].map((k) => [k, service.environment[k]]),
      );
      expect(settings).toEqual(loadWorkerSettings(requiredOnly));
    });

    it('serves a worker capability that the sample schemas use, with the runbooks mounted', () => {
      const parsed = parseSchemasFile(read('schemas/schemas.json'));
      if (!parsed.ok) throw new Error(`schemas/schemas.json is invalid: ${JSON.stringify(parsed.problems)}`);
      expect(parsed.schemas.map((s) => s.worker)).toContain(service.environment.CLOUDO_WORKER);
      expect(service.volumes).toContain(`./runbooks:${service.environment.RUNBOOKS_DIR}:ro`);
    });

    it('is woken by the app: the same wake key, a listener reached by its service name, not published', () => {
      const wake = loadWorkerSettings(service.environment).wake;
      expect(wake?.key).toBe(functionsService?.environment.CLOUDO_WAKE_KEY);
      expect(wake?.url).toBe(`http://${name}:${wake?.port}/wake`);
      expect(service.ports).toEqual([]);
    });

    it('lets Docker wait for a graceful shutdown before it kills the worker', () => {
      const settings = loadWorkerSettings(service.environment);
      const grace = /^(\d+)s$/.exec(service.stop_grace_period ?? '');
      expect(grace, 'stop_grace_period as "<n>s"').not.toBeNull();
      expect(Number(grace?.[1]) * 1000).toBeGreaterThan(settings.shutdownGraceMs + settings.killGraceMs);
    });
  });

  it('has a worker service for every worker the sample schemas name (else their jobs wait forever)', () => {
    const parsed = parseSchemasFile(read('schemas/schemas.json'));
    if (!parsed.ok) throw new Error('schemas/schemas.json is invalid');
    const served = new Set(workerServices.map(([, s]) => s.environment.CLOUDO_WORKER));
    expect([...new Set(parsed.schemas.map((s) => s.worker))].filter((w) => !served.has(w))).toEqual([]);
  });

  it('publishes the functions app on 7071 and it loads with its settings at their defaults', () => {
    expect(functionsService?.ports).toContain('7071:80');
    expect(functionsService?.build?.dockerfile).toBe('Dockerfile');
    const env = functionsService?.environment ?? {};
    expect(settingsProblems(() => loadAppSettings(env))).toEqual([]);
    // a development stack: the same as the code's defaults in development
    expect(env.CLOUDO_ENV).toBe('development');
    expect(loadAppSettings(env)).toEqual(
      loadAppSettings({
        AzureWebJobsStorage: env.AzureWebJobsStorage,
        CLOUDO_ENV: 'development',
        CLOUDO_WAKE_KEY: env.CLOUDO_WAKE_KEY,
      }),
    );
  });

  it('builds every image from a Dockerfile that exists', () => {
    for (const [name, service] of services) {
      if (!service.build) continue;
      expect(service.build.context, name).toBe('.');
      expect(exists(service.build.dockerfile), `${name}: ${service.build.dockerfile}`).toBe(true);
    }
  });

  it('imports the schemas with a CLI the build produces, from a file that is mounted', () => {
    const command = compose.services.schemas?.command;
    if (!Array.isArray(command)) throw new Error('the schemas service needs its command as a list (exec form)');
    expect(command.slice(0, 2)).toEqual(['node', 'dist/src/cli/main.js']);
    expect(builtFrom(command[1] ?? '')).toBe('src/cli/main.ts');
    expect(command.slice(2, 4)).toEqual(['schemas', 'import']);
    const file = command[4] ?? '';
    const mount = compose.services.schemas?.volumes
      .map((v) => v.split(':'))
      .find(([, target]) => target && file.startsWith(`${target}/`));
    expect(mount, `a volume holding ${file}`).toBeDefined();
    const [hostDir = '', target = ''] = mount ?? [];
    expect(exists(`${hostDir.replace(/^\.\//, '')}${file.slice(target.length)}`)).toBe(true);
  });
});

describe('workers/Dockerfile', () => {
  const instructions = readDockerfile(WORKER_DOCKERFILE);
  const runtime = finalStage(instructions);

  it('starts the built worker entrypoint under tini, as the non-root user, stopped by SIGTERM', () => {
    const cmd = JSON.parse(argsOf(runtime, 'CMD').at(-1) ?? '[]') as string[];
    expect(cmd).toEqual(['/usr/local/libexec/cloudo/node', 'dist/workers/main.js']);
    expect(builtFrom(cmd[1] ?? '')).toBe('workers/main.ts');
    expect(JSON.parse(argsOf(runtime, 'ENTRYPOINT').at(-1) ?? '[]')).toEqual(['/usr/bin/tini', '--']);
    expect(argsOf(runtime, 'USER').at(-1)).toBe('10001:10001');
    expect(argsOf(runtime, 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('runs runbooks as accounts of their own, with only the capabilities that takes, on a node only the worker runs', () => {
    const runs = argsOf(runtime, 'RUN').join('\n');
    expect(runs).toContain('setcap cap_chown,cap_kill,cap_setgid,cap_setuid=ep /usr/local/libexec/cloudo/node');
    expect(runs).toContain('install -o root -g cloudo -m 0750 "$(command -v node)" /usr/local/libexec/cloudo/node');
    expect(runs).toMatch(/for i in \$\(seq 0 63\)[^\n]*useradd --uid "\$\(\(20000 \+ i\)\)" --gid 20000/);
    const env = argsOf(runtime, 'ENV').join(' ');
    expect(env).toContain('CLOUDO_RUNBOOK_UIDS=20000-20063');
    expect(env).toContain('CLOUDO_RUNBOOK_GID=20000');
    // the image's accounts serve the largest concurrency the worker accepts
    expect(() =>
      loadWorkerSettings({
        AzureWebJobsStorage: 'DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5',
        CLOUDO_WORKER: 'Runbook',
        RUNBOOKS_DIR: '/runbooks',
        CLOUDO_CONCURRENCY: '64',
        CLOUDO_RUNBOOK_UIDS: '20000-20063',
      }),
    ).not.toThrow();
  });

  it('builds with npm ci and the build script, on Node 22, and ships the runbooks folder', () => {
    expect(baseImageOf(instructions)).toBe('node:22-bookworm-slim');
    const runs = argsOf(instructions, 'RUN').join('\n');
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm run build');
    // no runbook source of its own: compose sets RUNBOOKS_DIR, the Terraform module CLOUDO_GITHUB_REPO, and the
    // worker refuses both (test/unit/iac/worker-settings.test.ts)
    expect(argsOf(runtime, 'ENV').join(' ')).not.toMatch(/\b(RUNBOOKS_DIR|CLOUDO_GITHUB_REPO)\b/);
    expect(argsOf(runtime, 'COPY')).toContain('--chown=root:root runbooks /runbooks');
  });

  it('installs what runbooks and the worker call: bash, python3, jq, az, kubectl and kubelogin', () => {
    const runs = argsOf(runtime, 'RUN').join('\n');
    const aptPackages = [...runs.matchAll(/apt-get install (?:-\S+ +)*([^&]+)/g)].flatMap((m) =>
      (m[1] ?? '')
        .trim()
        .split(/\s+/)
        // "azure-cli${AZURE_CLI_VERSION:+=...}" → azure-cli
        .map((pkg) => pkg.replace(/^"|"$/g, '').replace(/\$\{.*$|=.*$/, '')),
    );
    expect(aptPackages).toEqual(expect.arrayContaining(['bash', 'python3', 'jq', 'azure-cli']));
    for (const tool of ['kubectl', 'kubelogin'])
      expect(runs).toMatch(new RegExp(`install .*\\S*${tool}\\S* /usr/local/bin/${tool} `));
    // the build fails unless each one runs
    for (const check of ['az version', 'kubectl version --client', 'kubelogin --version'])
      expect(runs).toContain(check);
  });

  it('pins kubectl and kubelogin and checks their checksums', () => {
    const text = read(WORKER_DOCKERFILE);
    expect(text).toMatch(/^ARG KUBECTL_VERSION=v\d+\.\d+\.\d+$/m);
    expect(text).toMatch(/^ARG KUBELOGIN_VERSION=v\d+\.\d+\.\d+$/m);
    expect(text.match(/sha256sum --check/g)?.length).toBe(2);
  });
});

describe('Dockerfile (Functions app)', () => {
  const instructions = readDockerfile('Dockerfile');
  const runtime = finalStage(instructions);

  it('runs on the Functions Node 22 image with the app at the script root', () => {
    expect(baseImageOf(instructions)).toBe('mcr.microsoft.com/azure-functions/node:4-node22');
    expect(argsOf(runtime, 'ENV').join(' ')).toContain('AzureWebJobsScriptRoot=/home/site/wwwroot');
    expect(argsOf(runtime, 'WORKDIR').at(-1)).toBe('/home/site/wwwroot');
    expect(argsOf(runtime, 'EXPOSE')).toEqual(['80']);
  });

  it('copies in host.json, package.json, production node_modules and the built entry that package.json names', () => {
    const copies = argsOf(runtime, 'COPY');
    expect(copies).toEqual(
      expect.arrayContaining([
        'host.json ./',
        '--from=build /app/package.json ./package.json',
        '--from=build /app/node_modules ./node_modules',
        '--from=build /app/dist ./dist',
      ]),
    );
    expect(argsOf(instructions, 'RUN').join('\n')).toMatch(/npm run build && npm prune --omit=dev/);
    const { main } = JSON.parse(read('package.json')) as { main: string };
    expect(builtFrom(main)).toBe('src/index.ts');
  });
});
