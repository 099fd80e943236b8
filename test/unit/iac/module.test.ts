/**
 * The Terraform module in iac/ cannot be planned here (no Azure, no provider download), so this parses
 * its HCL (@cdktf/hcl2json) and checks it against the code and the README's module example: the example's
 * arguments are variables of compatible shape, every setting the code needs is set, names match
 * src/core/resource-names.ts, and secrets reach the apps only as Key Vault references.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContainerGroupsEnv, IsolatedRunsEnv } from '../../../src/core/isolation-settings.js';
import { resourceNames, workerQueueSuffix } from '../../../src/core/resource-names.js';
import { parseSchemasFile } from '../../../src/core/runbook-schema.js';
import { FunctionsEnv } from '../../../src/core/settings.js';
import { WorkerEnv } from '../../../src/core/worker-settings.js';

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const FIXTURE = new URL('test/fixtures/iac/original-readme-module-example.tf', ROOT);

type Json = Record<string, unknown>;
type Block = Json[];

const moduleFiles = readdirSync(new URL('iac/', ROOT)).filter((f) => f.endsWith('.tf'));

/** Merges the top-level blocks of several parsed files (hcl2json: block type → name → [bodies]). */
function merge(parts: Json[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const part of parts) {
    for (const [kind, value] of Object.entries(part)) {
      if (kind === 'locals') {
        out.locals ??= {};
        for (const body of value as Block) Object.assign(out.locals, body);
      } else if (kind === 'terraform') {
        out.terraform = { ...(out.terraform ?? {}), body: value };
      } else {
        out[kind] = { ...(out[kind] ?? {}), ...(value as Json) };
      }
    }
  }
  return out;
}

let hcl: Record<string, Record<string, unknown>>;
let variables: Record<string, { description?: string; type?: string; sensitive?: boolean }>;
let fixtureModule: Json;

/** `"NAME" = value` pairs of a map, whether hcl2json gave an object or an expression string. */
function settingPairs(value: unknown): Map<string, string> {
  const pairs = new Map<string, string>();
  if (typeof value === 'string') {
    for (const m of value.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"\s*=\s*([^\n]+)/g)) pairs.set(m[1] ?? '', m[2] ?? '');
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) pairs.set(k, String(v));
  }
  return pairs;
}

const resource = (type: string, name: string): Json => {
  const body = (hcl.resource?.[type] as Record<string, Block> | undefined)?.[name]?.[0];
  if (!body) throw new Error(`resource ${type}.${name} not found`);
  return body;
};

function appSettings(): Map<string, string> {
  const locals = hcl.locals ?? {};
  const all = new Map<string, string>();
  for (const name of ['storage_identity_settings', 'webhook_settings', 'app_settings']) {
    for (const [k, v] of settingPairs(locals[name])) all.set(k, v);
  }
  return all;
}

function workerEnv(): Map<string, string> {
  const env = new Map<string, string>(settingPairs(hcl.locals?.worker_env));
  const app = resource('azurerm_container_app', 'worker');
  const container = ((((app.template as Block)[0]?.container ?? []) as Block)[0] ?? {}) as Json;
  for (const e of (container.env as Block | undefined) ?? []) env.set(String(e.name), String(e.value ?? ''));
  const dynamics = (container.dynamic as { env?: Block } | undefined)?.env ?? [];
  for (const d of dynamics) {
    for (const content of (d.content as Block | undefined) ?? []) {
      if (typeof content.name === 'string' && !content.name.includes('${')) {
        env.set(content.name, String(content.value ?? `secret:${String(content.secret_name)}`));
      }
    }
  }
  return env;
}

beforeAll(async () => {
  const parts = await Promise.all(moduleFiles.map((f) => parse(f, read(`iac/${f}`)) as Promise<Json>));
  hcl = merge(parts);
  variables = Object.fromEntries(
    Object.entries(hcl.variable ?? {}).map(([k, v]) => [k, (v as Block)[0] as { description?: string }]),
  );
  const fixture = (await parse('fixture.tf', readFileSync(FIXTURE, 'utf8'))) as Json;
  fixtureModule = ((fixture.module as Record<string, Block>).cloudo as Block)[0] as Json;
});

describe('iac variables', () => {
  it('declares every variable with a description and a type', () => {
    expect(Object.keys(variables).length).toBeGreaterThan(10);
    for (const [name, v] of Object.entries(variables)) {
      expect(v.description, `${name} description`).toMatch(/\S/);
      expect(v.type, `${name} type`).toMatch(/\S/);
    }
  });

  it('accepts every argument of the README example with a compatible type', () => {
    const args = Object.entries(fixtureModule).filter(([k]) => k !== 'source');
    expect(args.length).toBeGreaterThan(15);
    for (const [name, value] of args) {
      const v = variables[name];
      expect(v, `variable ${name}`).toBeDefined();
      const type = String(v?.type);
      if (Array.isArray(value) && value.every((x) => typeof x === 'string')) {
        expect(type, name).toMatch(/^\$\{(list|set)\(string\)/);
      } else if (Array.isArray(value)) {
        expect(type, name).toMatch(/^\$\{(list|set)\(object\(/);
        for (const item of value as Json[])
          for (const key of Object.keys(item)) expect(type, `${name}.${key}`).toMatch(new RegExp(`\\b${key}\\s*=`));
      } else if (value && typeof value === 'object') {
        expect(type, name).toMatch(/^\$\{(object|map)\(/);
        for (const [key, inner] of Object.entries(value as Json)) {
          if (type.startsWith('${object(')) expect(type, `${name}.${key}`).toMatch(new RegExp(`\\b${key}\\s*=`));
          const innerObject = Array.isArray(inner) ? inner[0] : inner;
          if (type.startsWith('${map(object(') && innerObject && typeof innerObject === 'object') {
            for (const k of Object.keys(innerObject as Json))
              expect(type, `${name}.${key}.${k}`).toMatch(new RegExp(`\\b${k}\\s*=`));
          }
        }
      } else if (name === 'tags') {
        expect(type).toMatch(/^\$\{map\(string\)/);
      } else {
        expect(type, name).toMatch(/^\$\{(string|number|bool)\}$/);
      }
    }
  });

  it('marks the secret inputs sensitive', () => {
    for (const name of [
      'github_repo_info',
      'slack_integration',
      'slack_signing_secret',
      'opsgenie_api_key',
      'signing_key',
      'orchestrator_image',
      'worker_image',
      'easy_auth',
    ]) {
      expect(variables[name]?.sensitive, name).toBe(true);
    }
  });

  it('defaults schemas to an empty list, not to a file of the repository', () => {
    expect((variables.schemas as { default?: string }).default).toBe('[]');
  });
});

describe('iac example', () => {
  const block = (text: string) => {
    const start = text.indexOf('module "cloudo" {');
    expect(start).toBeGreaterThanOrEqual(0);
    return (
      text
        .slice(start)
        .split('\n')
        .filter((line) => !/^\s*source\s*=/.test(line))
        .join('\n')
        // the original's placeholder path, which made `terraform validate` fail: the example ships the file
        .replace('file("YOUR_PATH/schemas.json.tpl")', `file("\${path.module}/schemas.json.tpl")`)
        .replace(/\s+/g, ' ')
        .trim()
    );
  };

  it('copies the README module block verbatim except source (whitespace as terraform fmt writes it)', () => {
    const example = read('iac/examples/readme/main.tf');
    expect(example).toMatch(/module "cloudo" \{\n\s+source\s+= "\.\.\/\.\."/);
    expect(block(example)).toBe(block(readFileSync(FIXTURE, 'utf8')));
  });

  it('ships the schemas file it reads: the sample schemas test, test-2, test-3, valid, in both examples', () => {
    const shipped = read('iac/examples/readme/schemas.json.tpl');
    expect(read('iac/examples/default/schemas.json')).toBe(shipped);
    const parsed = parseSchemasFile(shipped);
    expect(parsed.ok && parsed.schemas.map((s) => s.id)).toEqual(['test', 'test-2', 'test-3']);
    const samples = (JSON.parse(read('schemas/schemas.json')) as { entity: { id: string }[] }[])[0]?.entity ?? [];
    expect(JSON.parse(shipped)[0].entity).toEqual(samples.filter((e) => ['test', 'test-2', 'test-3'].includes(e.id)));
  });

  it('passes only arguments that are variables of the module', async () => {
    const parsed = (await parse('main.tf', read('iac/examples/readme/main.tf'))) as Json;
    const mod = ((parsed.module as Record<string, Block>).cloudo as Block)[0] as Json;
    for (const name of Object.keys(mod).filter((k) => k !== 'source')) expect(Object.keys(variables)).toContain(name);
  });
});

describe('iac settings', () => {
  /** What the functions app and the workers read, from the shapes they read their environment with. */
  const codeSettings = () => new Set([...Object.keys(FunctionsEnv), ...Object.keys(WorkerEnv)]);

  /** AzureWebJobsStorage__credential is read by the Functions host itself. */
  const readByCode = (known: Set<string>, name: string) =>
    name === 'AzureWebJobsStorage__credential' || known.has(name);

  it('sets the settings the Functions app needs, all of them names the code reads', () => {
    const settings = appSettings();
    const known = codeSettings();
    const required = [
      'AzureWebJobsStorage__credential',
      'AzureWebJobsStorage__clientId',
      'CLOUDO_ENV',
      'CLOUDO_SIGNING_KEY',
      'SLACK_TOKEN',
      'SLACK_CHANNEL_DEFAULT',
      'OPSGENIE_API_KEY',
      'CLOUDO_PUBLIC_URL',
      'CLOUDO_TRUST_EASY_AUTH',
      'CLOUDO_STORAGE_NAMESPACE',
    ];
    for (const name of required) expect([...settings.keys()], name).toContain(name);
    for (const name of required) expect(readByCode(known, name), name).toBe(true);
    expect(settings.get('CLOUDO_ENV')).toBe('"production"');
    // the provider writes AzureWebJobsStorage__accountName from these (and hides it from app_settings)
    const app = resource('azurerm_linux_function_app', 'cloudo');
    expect(app.storage_uses_managed_identity).toBe(true);
    expect(app.storage_account_name).toContain('azurerm_storage_account.cloudo.name');
    expect(settings.has('AzureWebJobsStorage__accountName')).toBe(false);
    expect(settings.get('AzureWebJobsStorage__credential')).toContain('managedidentity');
    // the trigger's auth level is read with the registration settings, the webhook settings by auth-settings.ts
    expect(settings.has('CLOUDO_TRIGGER_AUTH_LEVEL')).toBe(true);
    for (const name of ['CLOUDO_WEBHOOK_TENANT_ID', 'CLOUDO_WEBHOOK_AUDIENCES'])
      expect(settings.has(name), name).toBe(true);
    for (const name of settings.keys()) {
      const pattern = /^(CLOUDO_|SLACK_|OPSGENIE_|PAGERDUTY_)/;
      if (pattern.test(name)) expect(known.has(name), name).toBe(true);
    }
  });

  /** Settings the module leaves at the code's default, and why; worker_settings / app_settings can set them. */
  const LEFT_AT_DEFAULT: Record<string, string> = {
    AzureWebJobsStorage__tableServiceUri: 'derived from the account name',
    AzureWebJobsStorage__queueServiceUri: 'derived from the account name',
    AzureWebJobsStorage__blobServiceUri: 'derived from the account name',
    RUNBOOKS_DIR: 'the module’s workers take their runbooks from GitHub (github_repo_info)',
    AZURE_AUTHORITY_HOST: 'the public cloud’s Entra authority; a sovereign cloud sets it in app_settings',
    CLOUDO_AKS_TIMEOUT_MS: 'tuning',
    // issue 21: the module sets where and from what isolated runs' container groups are made; these stay
    CLOUDO_ACI_ARM_URL:
      'the public cloud’s Resource Manager; a sovereign cloud sets it in app_settings and worker_settings',
    CLOUDO_ACI_POLL_MS: 'tuning (default 2 s)',
    CLOUDO_ACI_ORPHAN_GRACE_MS: 'tuning (default 15 min past a run’s timeout)',
    CLOUDO_ACI_START_TIMEOUT_MS: 'tuning (default 10 min: image pull and capacity)',
    CLOUDO_DEAD_WORKER_RETENTION_MS: 'tuning: a day of dead workers in /api/workers',
    CLOUDO_GITHUB_API_URL: 'api.github.com is where github_repo_info lives',
    CLOUDO_GITHUB_CACHE_DIR: 'the image default is inside the container',
    CLOUDO_GITHUB_REFRESH_INTERVAL_MS: 'tuning',
    CLOUDO_HEARTBEAT_MS: 'tuning',
    CLOUDO_KILL_GRACE_MS: 'tuning',
    CLOUDO_LOCAL_AUTH: 'local development only; production refuses it',
    CLOUDO_LOG_FLUSH_INTERVAL_MS: 'tuning',
    CLOUDO_LOG_MAX_BYTES: 'tuning',
    CLOUDO_MAX_ALERTS_PER_REQUEST: 'tuning',
    CLOUDO_MAX_BODY_BYTES: 'tuning',
    // issue 20: the module sets CLOUDO_OIDC_KEY_ID (its Key Vault key); the file and the grace stay at their defaults
    CLOUDO_OIDC_KEY_FILE: 'the key file is for one machine; Azure signs with CLOUDO_OIDC_KEY_ID',
    CLOUDO_OIDC_KEY_GRACE_MS: 'tuning (default 24 h)',
    CLOUDO_POLL_MAX_INTERVAL_MS: 'tuning',
    CLOUDO_ORPHAN_AFTER_MS: 'tuning',
    CLOUDO_QUEUED_TIMEOUT_MS: 'tuning',
    CLOUDO_RETENTION_BATCH_SIZE: 'tuning',
    CLOUDO_ROUTING_RULES_FILE: 'the module passes the rules inline (CLOUDO_ROUTING_RULES)',
    CLOUDO_RUNBOOK_GID: 'the worker image sets it with the accounts it creates (workers/Dockerfile)',
    CLOUDO_RUNBOOK_UIDS: 'the worker image sets it with the accounts it creates (workers/Dockerfile)',
    CLOUDO_RUNBOOK_ENV_PASSTHROUGH: 'what runbooks may see is the user’s call (worker_settings)',
    CLOUDO_STALE_WORKER_MS: 'tuning',
    CLOUDO_STREAMS_PER_CALLER: 'tuning (default 10)',
    CLOUDO_STREAMS_TOTAL: 'tuning (default 200)',
    CLOUDO_VISIBILITY_TIMEOUT_MS: 'tuning',
    CLOUDO_WEBHOOK_JWKS_URI: 'derived from the tenant',
    OPSGENIE_API_URL: 'opsgenie_region picks the EU instance; JSM’s endpoint goes in app_settings',
    OPSGENIE_API_KEY_DEFAULT: 'the original’s name of OPSGENIE_API_KEY, which the module sets',
    SLACK_TOKEN_DEFAULT: 'the original’s name of SLACK_TOKEN, which the module sets',
    PAGERDUTY_EVENTS_URL: 'one public endpoint',
    SLACK_API_URL: 'tests point it at a fake Slack',
  };

  it('decides every setting the code reads: the module sets it, or leaves it at the default for a stated reason', () => {
    const set = new Set([...appSettings().keys(), ...workerEnv().keys(), 'AzureWebJobsStorage__accountName']);
    for (const name of codeSettings()) {
      if (name === 'AzureWebJobsStorage') continue; // the module uses identities, never a connection string
      expect(
        set.has(name) || name in LEFT_AT_DEFAULT,
        `${name}: set it in iac/ or say in LEFT_AT_DEFAULT why not`,
      ).toBe(true);
    }
    for (const name of Object.keys(LEFT_AT_DEFAULT)) {
      expect(codeSettings().has(name), `${name} is no longer read by the code`).toBe(true);
      expect(set.has(name), `${name} is set by the module after all`).toBe(false);
    }
  });

  it('gives every worker its capability, GitHub settings and identity-based storage', () => {
    const env = workerEnv();
    const known = codeSettings();
    for (const name of [
      'CLOUDO_WORKER',
      'CLOUDO_GITHUB_REPO',
      'CLOUDO_GITHUB_BRANCH',
      'CLOUDO_GITHUB_RUNBOOK_PATH',
      'CLOUDO_GITHUB_TOKEN',
      'AzureWebJobsStorage__accountName',
      'AzureWebJobsStorage__clientId',
      'CLOUDO_STORAGE_NAMESPACE',
    ]) {
      expect([...env.keys()], name).toContain(name);
    }
    expect(env.get('CLOUDO_GITHUB_TOKEN')).toBe('secret:github-token');
    for (const name of env.keys()) if (name.startsWith('CLOUDO_')) expect(known.has(name), name).toBe(true);
  });

  it('gives isolated runs’ settings by role: the app where and as whom to clean up, the workers how to make groups', () => {
    const aci = (names: Iterable<string>) => [...names].filter((n) => n.startsWith('CLOUDO_ACI_')).sort();
    const defaults = Object.keys(LEFT_AT_DEFAULT);
    // the app only lists and deletes: it is told nothing of images, identities or subnets
    expect(aci(appSettings().keys())).toEqual(
      aci(Object.keys(ContainerGroupsEnv)).filter((n) => !defaults.includes(n)),
    );
    expect(aci(workerEnv().keys())).toEqual(aci(Object.keys(IsolatedRunsEnv)).filter((n) => !defaults.includes(n)));
    // each process manages groups as its own identity
    expect(appSettings().get('CLOUDO_ACI_CLIENT_ID')).toContain('azurerm_user_assigned_identity.app.client_id');
    expect(workerEnv().get('CLOUDO_ACI_CLIENT_ID')).toContain('azurerm_user_assigned_identity.worker.client_id');
  });

  it('gives every worker the identity variables the original ClouDO set on its workers, which runbooks inherit', () => {
    const env = workerEnv();
    // `az login --identity --client-id "$AZURE_CLIENT_ID"`, SDK clients reading the tenant and subscription
    expect(env.get('AZURE_CLIENT_ID')).toContain('azurerm_user_assigned_identity.worker.client_id');
    expect(env.get('AZURE_TENANT_ID')).toContain('azurerm_user_assigned_identity.worker.tenant_id');
    expect(env.get('AZURE_SUBSCRIPTION_ID')).toContain('subscription_id');
  });

  it('passes secrets only as Key Vault references', () => {
    const settings = appSettings();
    for (const name of [
      'CLOUDO_SIGNING_KEY',
      'SLACK_TOKEN',
      'SLACK_SIGNING_SECRET',
      'OPSGENIE_API_KEY',
      'PAGERDUTY_ROUTING_KEY',
      'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET',
    ]) {
      const value = settings.get(name);
      expect(value, name).toMatch(/local\.kv_ref\["[a-z-]+"\]/);
    }
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an HCL interpolation, as the module writes it
    expect(String(hcl.locals?.kv_ref)).toContain('@Microsoft.KeyVault(SecretUri=${s.versionless_id})');
    const secretInputs =
      /var\.(slack_integration\.token|slack_signing_secret|opsgenie_api_key|signing_key|pagerduty_routing_key|github_repo_info\.repo_token|easy_auth\.client_secret|team_slack_tokens|team_opsgenie_api_keys)|registry_password|random_password/;
    for (const [name, value] of [...settings, ...workerEnv()]) expect(value, name).not.toMatch(secretInputs);
    // the original's per-team settings, named as src/core/team-notify-settings.ts reads them
    const teams = String(hcl.locals?.team_notify_settings);
    // an HCL interpolation (escaped here), as the module writes it
    const byTeam = (prefix: string, value: string) => `"${prefix}_\${upper(replace(team, "-", "_"))}" => ${value}`;
    expect(teams).toContain(byTeam('SLACK_TOKEN', 'local.kv_ref[secret]'));
    expect(teams).toContain(byTeam('OPSGENIE_API_KEY', 'local.kv_ref[secret]'));
    expect(teams).toContain(byTeam('SLACK_CHANNEL', 'channel'));
    expect(teams).not.toMatch(secretInputs);
    expect(String(hcl.locals?.app_settings)).toContain('local.team_notify_settings');
    // secrets of the workers are Container Apps secrets that reference Key Vault
    const app = resource('azurerm_container_app', 'worker');
    const secret = ((app.dynamic as { secret?: Block }).secret?.[0]?.content ?? []) as Block;
    expect(secret[0]?.key_vault_secret_id).toMatch(/local\.worker_secrets/);
    expect(secret[0]).not.toHaveProperty('value');
  });
});

describe('iac storage names', () => {
  const names = resourceNames('');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL interpolations, as the module writes them
  const plain = (s: unknown) => String(s).replaceAll('${local.ns}', '').replaceAll('${local.dash}', '');

  it('creates the tables and containers of resourceNames', () => {
    const locals = hcl.locals ?? {};
    const tables = (locals.tables as string[]).map(plain).sort();
    expect(tables).toEqual(
      [
        names.schemasTable,
        names.executionsTable,
        names.tokensTable,
        names.auditTable,
        names.alertDeliveriesTable,
        names.runLocksTable,
        names.workersTable,
        names.notificationsTable,
        names.pagesTable,
        names.pendingApprovalsTable,
        names.schedulesTable,
      ].sort(),
    );
    expect(plain(locals.logs_container)).toBe(names.logsContainer);
    expect(plain(locals.alert_payloads_container)).toBe(names.alertPayloadsContainer);
    expect(plain(locals.results_queue)).toBe(names.resultsQueue);
  });

  it('names job and poison queues as workerQueueSuffix does', () => {
    const locals = hcl.locals ?? {};
    const suffixExpr = String(locals.workers);
    const patterns = [...suffixExpr.matchAll(/"\/(.+?)\/", "(-?)"\)/g)].map(
      (m) => [new RegExp(m[1] ?? '', 'g'), m[2] ?? ''] as const,
    );
    expect(patterns).toHaveLength(3);
    const suffix = (w: string) => patterns.reduce((s, [re, by]) => s.replace(re, by), w.toLowerCase());
    for (const w of ['Runbook', 'aks_weu', 'Aks.Weu_', 'a__b', 'X9']) expect(suffix(w), w).toBe(workerQueueSuffix(w));
    const job = plain(locals.job_queues).match(/"(cloudo-jobs-)\$\{v\.suffix\}"/);
    const poison = plain(locals.poison_queues).match(/"(cloudo-jobs-)\$\{v\.suffix\}(-poison)"/);
    expect(`${job?.[1]}runbook`).toBe(names.jobQueue('Runbook'));
    expect(`${poison?.[1]}runbook${poison?.[2]}`).toBe(names.poisonQueue('Runbook'));
  });
});
