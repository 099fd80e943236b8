/**
 * Makes the real `terraform` binary use the fake providers: a directory of executables named
 * terraform-provider-<name>, and a CLI configuration whose `dev_overrides` point hashicorp/<name> there.
 * With overrides Terraform neither downloads nor checks those providers against the lock file, so
 * `terraform get` (modules only) replaces `terraform init`, which would still ask the registry.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { ensureServerCertificate } from './tls.js';

export const FAKE_PROVIDERS = ['azurerm', 'random', 'time'] as const;

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface TerraformResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface FakeTerraform {
  /** Environment for `terraform`: the CLI configuration, no input, no checkpoint calls, no colour. */
  env: NodeJS.ProcessEnv;
  /** Runs `terraform <command> -no-color <args…>` in `cwd`; never rejects on a failing exit status. */
  run(args: string[], cwd: string): Promise<TerraformResult>;
}

/** Whether a `terraform` binary is on PATH. */
export function hasTerraform(): boolean {
  try {
    execFileSync('terraform', ['version'], { stdio: 'ignore', env: { ...process.env, TF_CLI_CONFIG_FILE: '' } });
    return true;
  } catch {
    return false;
  }
}

/**
 * main.ts and its imports as one ES module: Terraform starts a provider process six times for one
 * `validate`, and a bundle starts in ~0.15 s where `node --import tsx` takes ~0.5 s. `import.meta.url`
 * keeps pointing at main.ts (the proto files and the fixture are found from there), and `require`, which
 * the bundled CommonJS packages call, resolves from there too.
 */
function bundleProvider(dir: string): string {
  const outfile = join(dir, 'terraform-provider.mjs');
  const mainUrl = JSON.stringify(pathToFileURL(MAIN).href);
  buildSync({
    entryPoints: [MAIN],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    define: { 'import.meta.url': mainUrl },
    banner: { js: `import { createRequire } from 'node:module';\nconst require = createRequire(${mainUrl});` },
    logLevel: 'error',
  });
  return outfile;
}

/** Writes the provider executables, their TLS certificate and the CLI configuration under `dir`. */
export function installFakeProviders(dir: string): FakeTerraform {
  const plugins = join(dir, 'plugins');
  const tls = join(dir, 'tls');
  mkdirSync(plugins, { recursive: true });
  ensureServerCertificate(tls);
  const bundle = bundleProvider(dir);
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  for (const name of FAKE_PROVIDERS) {
    const file = join(plugins, `terraform-provider-${name}`);
    writeFileSync(file, `#!/bin/sh\nexec ${[process.execPath, bundle, name, tls].map(quote).join(' ')}\n`);
    chmodSync(file, 0o755);
  }
  const overrides = FAKE_PROVIDERS.map((name) => `    "hashicorp/${name}" = ${JSON.stringify(plugins)}`).join('\n');
  const cliConfig = join(dir, 'terraform.rc');
  writeFileSync(cliConfig, `provider_installation {\n  dev_overrides {\n${overrides}\n  }\n  direct {}\n}\n`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
  };
  delete env.TF_LOG;
  return {
    env,
    run(args, cwd) {
      // flags go before positional arguments: `terraform show -no-color -json tfplan`
      const [command = '', ...rest] = args;
      const child = spawn('terraform', [command, '-no-color', ...rest], {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      return new Promise((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code) =>
          resolve({ status: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
        );
      });
    },
  };
}
