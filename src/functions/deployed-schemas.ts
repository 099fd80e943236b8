import os from 'node:os';
import { unknownIdentityWarnings } from '../core/runbook-identity.js';
import type { SkippedEntry } from '../core/runbook-schema.js';
import { formatSchemaProblems, parseSchemaEntries } from '../core/runbook-schema.js';
import type { AppSettings } from '../core/settings.js';
import type { Storage } from '../storage/index.js';
import { formatScheduleImport, scheduleImportChanges, schemaImportChanges } from '../storage/index.js';

export type DeployedSchemasOutcome =
  | { readonly status: 'none' }
  | { readonly status: 'rejected'; readonly problems: readonly string[] }
  | {
      readonly status: 'imported';
      readonly changes: Record<string, string> | null;
      /** Entries left out for their errors, as `[0].entity[2] (id)`: logged as errors and audited. */
      readonly skipped: readonly string[];
    };

type Log = (level: 'info' | 'error', message: string) => void;

/**
 * Brings the schemas shipped with the deployment (`CLOUDO_SCHEMAS_JSON`) into the registry, once per process.
 *
 * The app does it itself, at start and again from Housekeeping until it has worked: a scheduled import job
 * left a fresh deployment without schemas for up to 15 minutes, and right after `terraform apply` the app's
 * storage roles may take minutes to propagate, so a single attempt at start is not enough. A failed attempt
 * throws and the next call tries again; success and rejection are final for the process, because the content
 * cannot change without a restart.
 *
 * An entry with errors costs only itself: the others are imported, and each error is logged (level error)
 * with its JSON path, saying the entry was not imported, and audited as `schema.import.rejected`. One
 * typo must not keep a deployment's other runbooks from their alerts, nor vanish unnoticed. Pruning waits
 * for a clean file: the registry's rows of skipped entries would be "not in it" and go.
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
    const parsed = parseSchemaEntries(deployed.json);
    await storage.audit.ensureTable();
    const problems = formatSchemaProblems(parsed.errors);
    if (parsed.schemas.length === 0 && problems.length > 0) {
      log('error', `CLOUDO_SCHEMAS_JSON rejected, the registry is unchanged:\n  ${problems.join('\n  ')}`);
      await this.audit('schema.import.rejected', { problems: problems.join('; ') });
      return { status: 'rejected', problems };
    }
    if (parsed.warnings.length > 0) {
      log('info', `CLOUDO_SCHEMAS_JSON:\n  ${formatSchemaProblems(parsed.warnings).join('\n  ')}`);
    }
    const identityWarnings = unknownIdentityWarnings(parsed.schemas, this.app.settings.runbookIdentities);
    if (identityWarnings.length > 0) log('info', `CLOUDO_SCHEMAS_JSON:\n  ${identityWarnings.join('\n  ')}`);
    const skipped = parsed.skipped.map((s) => (s.id === null ? s.path : `${s.path} (${s.id})`));
    const prune = deployed.prune && problems.length === 0;
    if (problems.length > 0) {
      log(
        'error',
        `CLOUDO_SCHEMAS_JSON: ${countOf(parsed.skipped)} NOT imported (${skipped.join(', ') || 'see below'}); ` +
          `the registry keeps what it held for them${deployed.prune ? ', and CLOUDO_SCHEMAS_PRUNE ignored this time' : ''}:` +
          `\n  ${problems.join('\n  ')}`,
      );
      await this.audit('schema.import.rejected', { skipped: skipped.join(', '), problems: problems.join('; ') });
    }
    await Promise.all([storage.schemas.ensureTable(), storage.schedules.ensureTable()]);
    const report = await storage.schemas.importSchemas(parsed.schemas, { prune });
    const scheduleReport = await storage.schedules.importFromFile(parsed.schedules, { prune });
    const schemaChanges = schemaImportChanges(report);
    const scheduleChanges = scheduleImportChanges(scheduleReport);
    const changes = schemaChanges || scheduleChanges ? { ...schemaChanges, ...scheduleChanges } : null;
    if (changes) await this.audit('schema.import', changes);
    const kept = report.pruned || report.notInFile.length === 0 ? '' : `, ${report.notInFile.length} kept not in it`;
    log(
      'info',
      `CLOUDO_SCHEMAS_JSON imported: ${report.created.length} created, ${report.updated.length} updated, ` +
        `${report.unchanged.length} unchanged${report.pruned ? `, ${report.notInFile.length} deleted` : kept}` +
        (skipped.length > 0 ? `, ${skipped.length} skipped for errors` : ''),
    );
    const scheduleLines = formatScheduleImport(scheduleReport);
    if (scheduleLines.length > 0) log('info', `CLOUDO_SCHEMAS_JSON ${scheduleLines.join('\n  ')}`);
    return { status: 'imported', changes, skipped };
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

function countOf(skipped: readonly SkippedEntry[]): string {
  if (skipped.length === 0) return 'some entries';
  return `${skipped.length} ${skipped.length === 1 ? 'entry' : 'entries'}`;
}
