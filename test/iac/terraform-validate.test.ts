/**
 * The real `terraform` validates and plans the README example (iac/examples/readme, which calls the module)
 * with fake azurerm, random and time providers (test/support/terraform-provider): Node processes that speak
 * Terraform's plugin protocol and answer with the schemas of test/fixtures/iac/provider-schema.json. So
 * Terraform itself checks types, function calls, references, for_each, variable validations and
 * preconditions, which the hcl2json checks of provider-schema.test.ts cannot. Every run works on a copy of
 * iac/ in a temporary directory; the mistakes below are made in copies, never in iac/.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTerraform, hasTerraform, installFakeProviders } from '../support/terraform-provider/install.js';

const IAC = fileURLToPath(new URL('../../iac/', import.meta.url));
const TERRAFORM = hasTerraform();
const SKIPPED = TERRAFORM ? '' : ' (skipped: no terraform binary on PATH)';
if (!TERRAFORM) console.warn('test/iac/terraform-validate.test.ts is skipped: no terraform binary on PATH');

/** Two capabilities, so the example plans two worker apps; the module reads only `worker`. */
const SCHEMAS = JSON.stringify([
  {
    partition_key: 'generic',
    entity: [
      { id: 'hello', worker: 'Runbook', runbook: 'hello.sh' },
      { id: 'restart-pod', worker: 'aks.ops', runbook: 'restart.sh' },
    ],
  },
]);

let work: string;
let terraform: FakeTerraform;

/**
 * A copy of iac/ with `edits` applied (each `from` must occur exactly once, so that a change to the
 * module fails here instead of silently testing nothing). Returns the directory of `example`; the README
 * example's schemas file is replaced by SCHEMAS unless `shippedSchemas`.
 */
function copyModule(
  name: string,
  edits: { file: string; from: string; to: string }[] = [],
  { example = 'readme', shippedSchemas = false }: { example?: 'readme' | 'default'; shippedSchemas?: boolean } = {},
): string {
  const root = join(work, name, 'iac');
  cpSync(IAC, root, { recursive: true, filter: (src) => !/\.terraform|\.tfstate|tfplan/.test(src) });
  for (const { file, from, to } of edits) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    expect(text.split(from).length - 1, `${file} contains ${from} once`).toBe(1);
    writeFileSync(path, text.replace(from, to));
  }
  if (!shippedSchemas) writeFileSync(join(root, 'examples/readme/schemas.json.tpl'), SCHEMAS);
  return join(root, 'examples', example);
}

/** What the default example asks of a new user: the runbooks' repository and the worker image. */
const DEFAULT_EXAMPLE_VARS = [
  '-var=github_repo=contoso/runbooks',
  '-var=worker_image={image_name="contoso/cloudo-worker",image_tag="0123abc"}',
];

/** `terraform get` (modules; `init` would ask the registry) then `terraform validate`. */
async function validate(example: string) {
  const get = await terraform.run(['get'], example);
  expect(get.status, get.stderr).toBe(0);
  return terraform.run(['validate'], example);
}

/** Error diagnostics only (dev_overrides always add a warning), with Terraform's line wrapping undone. */
const errors = (stderr: string) =>
  stderr
    .split(/\n(?=Error: )/)
    .filter((d) => d.startsWith('Error: '))
    .map((d) => d.replace(/\s+/g, ' ').trim());

beforeAll(() => {
  if (!TERRAFORM) return;
  work = mkdtempSync(join(tmpdir(), 'cloudo-terraform-'));
  terraform = installFakeProviders(work);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('terraform with fake providers, on the README example', () => {
  it.skipIf(!TERRAFORM)(
    `validates the example as shipped, with its schemas file, and the module${SKIPPED}`,
    async () => {
      const result = await validate(copyModule('valid', [], { shippedSchemas: true }));
      expect(errors(result.stderr)).toEqual([]);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Success! The configuration is valid');
    },
  );

  it.skipIf(!TERRAFORM)(
    `plans the example: one worker app per capability, the schemas in app settings${SKIPPED}`,
    async () => {
      const example = copyModule('plan');
      const get = await terraform.run(['get'], example);
      expect(get.status, get.stderr).toBe(0);
      const plan = await terraform.run(['plan', '-out=tfplan'], example);
      expect(errors(plan.stderr)).toEqual([]);
      expect(plan.status).toBe(0);
      const show = await terraform.run(['show', '-json', 'tfplan'], example);
      expect(show.status, show.stderr).toBe(0);
      const json = JSON.parse(show.stdout) as {
        resource_changes: { address: string; change: { actions: string[]; after: Record<string, unknown> | null } }[];
      };
      const planned = (address: string) => {
        const change = json.resource_changes.find((c) => c.address === address);
        expect(change?.change.actions, address).toEqual(['create']);
        return change?.change.after ?? {};
      };
      const workers = json.resource_changes.filter((c) =>
        c.address.startsWith('module.cloudo.azurerm_container_app.worker['),
      );
      expect(workers.map((c) => c.address).sort()).toEqual([
        'module.cloudo.azurerm_container_app.worker["Runbook"]',
        'module.cloudo.azurerm_container_app.worker["aks.ops"]',
      ]);
      const template = (
        planned('module.cloudo.azurerm_container_app.worker["aks.ops"]').template as {
          container: { env: { name: string; value: string }[] }[];
        }[]
      )[0];
      expect(template?.container[0]?.env).toContainEqual(
        expect.objectContaining({ name: 'CLOUDO_WORKER', value: 'aks.ops' }),
      );
      const settings = planned('module.cloudo.azurerm_linux_function_app.cloudo').app_settings as Record<
        string,
        string
      >;
      expect(settings.CLOUDO_SCHEMAS_JSON).toBe(SCHEMAS);
      expect(settings.AzureWebJobsStorage__credential).toBe('managedidentity');
      expect(settings).toMatchObject({ CLOUDO_RETENTION_DAYS: '90', CLOUDO_AUDIT_RETENTION_DAYS: '365' });
      // the blobs' lifecycle rule follows the runs' retention, a week later (storage.tf says why)
      const policy = planned('module.cloudo.azurerm_storage_management_policy.cloudo') as {
        rule: { filters: { prefix_match: string[] }[]; actions: { base_blob: Record<string, number>[] }[] }[];
      };
      expect(policy.rule[0]?.filters[0]?.prefix_match.sort()).toEqual(['alert-payloads/', 'execution-logs/']);
      expect(policy.rule[0]?.actions[0]?.base_blob[0]?.delete_after_days_since_creation_greater_than).toBe(97);
      expect(planned('module.cloudo.azurerm_storage_queue.cloudo["cloudo-jobs-aks-ops"]').name).toBe(
        'cloudo-jobs-aks-ops',
      );
    },
  );
});

describe('terraform with fake providers, on the default example', () => {
  it.skipIf(!TERRAFORM)(`validates and plans it as shipped: its own App Insights, no AKS${SKIPPED}`, async () => {
    const example = copyModule('default', [], { example: 'default' });
    const valid = await validate(example);
    expect(errors(valid.stderr)).toEqual([]);
    expect(valid.stdout).toContain('Success! The configuration is valid');
    const plan = await terraform.run(['plan', '-out=tfplan', ...DEFAULT_EXAMPLE_VARS], example);
    expect(errors(plan.stderr)).toEqual([]);
    expect(plan.status).toBe(0);
    const show = await terraform.run(['show', '-json', 'tfplan'], example);
    expect(show.status, show.stderr).toBe(0);
    const json = JSON.parse(show.stdout) as {
      resource_changes: { address: string; change: { actions: string[]; after: Record<string, unknown> | null } }[];
    };
    const addresses = json.resource_changes.map((c) => c.address);
    expect(addresses).toEqual(
      expect.arrayContaining([
        'azurerm_resource_group.cloudo',
        'azurerm_application_insights.cloudo',
        'module.cloudo.azurerm_linux_function_app.cloudo',
        'module.cloudo.azurerm_container_app.worker["Runbook"]',
        'module.cloudo.azurerm_storage_queue.cloudo["cloudo-jobs-runbook"]',
      ]),
    );
    expect(addresses.filter((a) => a.includes('azurerm_role_assignment.aks'))).toEqual([]);
    const app = json.resource_changes.find((c) => c.address === 'module.cloudo.azurerm_linux_function_app.cloudo');
    const settings = app?.change.after?.app_settings as Record<string, string>;
    expect(JSON.parse(settings.CLOUDO_SCHEMAS_JSON ?? '[]')[0].entity.map((e: { id: string }) => e.id)).toEqual([
      'test',
      'test-2',
      'test-3',
    ]);
  });
});

describe('terraform with fake providers catches mistakes in the module', () => {
  const cases: {
    name: string;
    edits: { file: string; from: string; to: string }[];
    expected: string[];
    /** Preconditions are checked when planning; everything else already by validate. */
    plan?: boolean;
  }[] = [
    {
      name: 'a misspelt argument',
      edits: [{ file: 'storage.tf', from: 'account_kind ', to: 'account_knd  ' }],
      expected: [
        'Error: Unsupported argument',
        'An argument named "account_knd" is not expected here. Did you mean "account_kind"?',
      ],
    },
    {
      name: 'a list where a string is required',
      edits: [
        {
          file: 'functions.tf',
          from: 'ftps_state                              = "Disabled"',
          to: 'ftps_state = ["Disabled"]',
        },
      ],
      expected: [
        'Error: Incorrect attribute value type',
        'Inappropriate value for attribute "ftps_state": string required',
      ],
    },
    {
      name: 'a reference to an attribute the resource does not export',
      edits: [
        {
          file: 'identity.tf',
          from: 'scope                = data.azurerm_subscription.current.id',
          to: 'scope                = data.azurerm_subscription.current.scope_id',
        },
      ],
      expected: [
        'Error: Unsupported attribute',
        'This object has no argument, nested block, or exported attribute named "scope_id".',
      ],
    },
    {
      name: 'a function app without storage account (the provider’s ExactlyOneOf)',
      edits: [
        {
          file: 'functions.tf',
          from: '  storage_account_name          = azurerm_storage_account.cloudo.name\n',
          to: '',
        },
      ],
      expected: [
        'Error: "storage_account_name": one of `storage_account_name,storage_key_vault_secret_id` must be specified',
      ],
    },
    {
      name: 'an input its variable validation rejects',
      edits: [
        {
          file: 'examples/readme/main.tf',
          from: 'service_plan_sku          = "B1"',
          to: 'service_plan_sku          = "Y1"',
        },
      ],
      expected: ['Error: Invalid value for variable', 'var.service_plan_sku is "Y1"', '(Y1/FC1 are not supported)'],
    },
    {
      name: 'inputs a resource precondition rejects',
      edits: [
        {
          file: 'examples/readme/main.tf',
          from: 'service_plan_sku          = "B1"',
          to: 'service_plan_sku          = "B1"\n  worker_min_replicas       = 3\n  worker_max_replicas       = 2',
        },
      ],
      expected: ['Error: Resource precondition failed', 'worker_max_replicas must be >= worker_min_replicas.'],
      plan: true,
    },
  ];

  it.skipIf(!TERRAFORM)(`reports each with Terraform's own error${SKIPPED}`, async () => {
    // concurrently: each run is mostly waiting for provider processes to start
    const results = await Promise.all(
      cases.map(async (c, i) => {
        const example = copyModule(`broken-${i}`, c.edits);
        if (!c.plan) return validate(example);
        const get = await terraform.run(['get'], example);
        expect(get.status, get.stderr).toBe(0);
        return terraform.run(['plan'], example);
      }),
    );
    results.forEach((result, i) => {
      const c = cases[i];
      const found = errors(result.stderr);
      expect(result.status, c?.name).toBe(1);
      // one error, or one per instance (the precondition fails for both worker apps)
      expect(found.length, c?.name).toBeGreaterThan(0);
      for (const error of found) for (const text of c?.expected ?? []) expect(error, c?.name).toContain(text);
    });
  });
});
