import os from 'node:os';
import { formatSchemaProblems, parseSchemasFile } from '../core/runbook-schema.js';
import type { AppSettings } from '../core/settings.js';
import type { Storage } from '../storage/index.js';
import { schemaImportChanges } from '../storage/index.js';

export type DeployedSchemasOutcome =
  | { readonly status: 'none' }
  | { readonly status: 'rejected'; readonly problems: readonly string[] }
  | { readonly status: 'imported'; readonly changes: Record<string, string> | null };

type Log = (level: 'info' | 'error', message: string) => void;

/**
 * Brings the schemas shipped with the deployment (`CLOUDO_SCHEMAS_JSON`) into the registry, once per process.
 *
 * The app does it itself, at start and again from Housekeeping until it has worked: a scheduled import job
 * left a fresh deployment without schemas for up to 15 minutes, and right after `terraform apply` the app's
 * storage roles may take minutes to propagate, so a single attempt at start is not enough. A failed attempt
 * throws and the next call tries again; success and rejection are final for the process, because the content
 * cannot change without a restart.
 */
export class DeployedSchemas {
  private outcome: Promise<DeployedSchemasOutcome> | null = null;

  constructor(private readonly app: { readonly settings: AppSettings; readonly storage: Storage }) {}

  sync(log: Log): Promise<DeployedSchemasOutcome> {
    this.outcome ??= this.importOnce(log).catch((err: unknown) => {
      this.outcome = null;
      throw err;
    });
    return this.outcome;
  }

  private async importOnce(log: Log): Promise<DeployedSchemasOutcome> {
    const deployed = this.app.settings.deployedSchemas;
    if (!deployed) return { status: 'none' };
    const { storage } = this.app;
    const parsed = parseSchemasFile(deployed.json);
    await storage.audit.ensureTable();
    if (!parsed.ok) {
      const problems = formatSchemaProblems(parsed.problems);
      log('error', `CLOUDO_SCHEMAS_JSON rejected, the registry is unchanged:\n  ${problems.join('\n  ')}`);
      await this.audit('schema.import.rejected', { problems: problems.join('; ') });
      return { status: 'rejected', problems };
    }
    if (parsed.warnings.length > 0) {
      log('info', `CLOUDO_SCHEMAS_JSON:\n  ${formatSchemaProblems(parsed.warnings).join('\n  ')}`);
    }
    await storage.schemas.ensureTable();
    const report = await storage.schemas.importSchemas(parsed.schemas, { prune: deployed.prune });
    const changes = schemaImportChanges(report);
    if (changes) await this.audit('schema.import', changes);
    const kept = report.pruned || report.notInFile.length === 0 ? '' : `, ${report.notInFile.length} kept not in it`;
    log(
      'info',
      `CLOUDO_SCHEMAS_JSON imported: ${report.created.length} created, ${report.updated.length} updated, ` +
        `${report.unchanged.length} unchanged${report.pruned ? `, ${report.notInFile.length} deleted` : kept}`,
    );
    return { status: 'imported', changes };
  }

  private async audit(action: 'schema.import' | 'schema.import.rejected', details: Record<string, string>) {
    await this.app.storage.audit.record({
      at: new Date().toISOString(),
      action,
      actorKind: 'deployment',
      actorId: 'CLOUDO_SCHEMAS_JSON',
      from: `app start on ${os.hostname()}`,
      target: 'CLOUDO_SCHEMAS_JSON',
      details,
    });
  }
}
