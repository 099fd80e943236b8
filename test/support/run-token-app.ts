import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { FederatedTokenAnswer, FederatedTokenRequest } from '../../src/core/federated-token.js';
import { loadAppSettings } from '../../src/core/settings.js';
import { createFunctionDefinitions } from '../../src/functions/index.js';
import type { AppServices } from '../../src/functions/services.js';
import { createAppServices } from '../../src/functions/services.js';
import type { RunningHttpHost } from '../../src/local/http-host.js';
import { startHttpHost } from '../../src/local/http-host.js';
import { listenOnLoopback } from './fake-server.js';
import { freePort } from './ports.js';
import type { TestStorage } from './storage.js';

export interface RunTokenAppOptions {
  /** CLOUDO_WORKER_KEY, which the workers sign their calls with. */
  readonly workerKey: string;
  /**
   * The run identity settings: CLOUDO_RUNBOOK_IDENTITIES, CLOUDO_RUNBOOK_CLIENT_ID, AZURE_TENANT_ID,
   * AZURE_AUTHORITY_HOST. Storage, the worker key, the issuer and its key file are set here.
   */
  readonly env: Readonly<Record<string, string>>;
}

/** A token the app minted, for the run and the worker that asked. */
export interface MintedToken {
  readonly execId: string;
  readonly workerId: string;
  readonly token: string;
}

export interface RunTokenApp {
  /** CLOUDO_APP_URL of the workers: a recorder that passes every call to the app, and its answer back. */
  readonly url: string;
  /** The app itself, served as the Functions host serves it. */
  readonly host: RunningHttpHost;
  /** CLOUDO_OIDC_ISSUER: the tokens' `iss`, whose discovery document and JWKS the app serves. */
  readonly issuer: string;
  /** Every token the app answered a worker with, in order. */
  readonly minted: MintedToken[];
  /**
   * Runs (by execId) whose workers are told each token expires this many seconds after it was minted.
   * The app's tokens live 10 minutes (at least 60 s may be asked for), and a worker refreshes at two thirds
   * of that: this lets a test see refreshes within seconds. The tokens themselves are the app's, unchanged.
   */
  readonly announcedLife: Map<string, number>;
  /** Every line the functions logged, `<function> <level> <text>`. */
  readonly logs: readonly string[];
  /** The app restarted with other run identity settings, as Azure restarts it when app settings change. */
  restart(env: Readonly<Record<string, string>>): void;
  close(): Promise<void>;
}

/**
 * The Functions app as it mints runs' federated tokens (`POST /api/runs/{execId}/federated-token`): real
 * settings, real services on the test's storage, its own signing key file, served over HTTP at a port
 * known before the settings are read (the issuer URL is one of them).
 */
export async function startRunTokenApp(t: TestStorage, options: RunTokenAppOptions): Promise<RunTokenApp> {
  const keyDir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-run-token-app-'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const issuer = `${origin}/api`;
  const servicesFor = (env: Readonly<Record<string, string>>): AppServices => {
    const settings = loadAppSettings({
      // replaced by the test's storage below
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      CLOUDO_SIGNING_KEY: randomBytes(32).toString('base64url'),
      CLOUDO_PUBLIC_URL: origin,
      CLOUDO_WORKER_KEY: options.workerKey,
      CLOUDO_OIDC_ISSUER: issuer,
      CLOUDO_OIDC_KEY_FILE: path.join(keyDir, 'oidc-signing-keys.json'),
      ...env,
    });
    return createAppServices({ ...settings, storage: t.settings });
  };
  let services = servicesFor(options.env);
  const logs: string[] = [];
  const host = await startHttpHost({
    definitions: createFunctionDefinitions(() => services),
    port,
    log: (name, level, args) => logs.push(`${name} ${level} ${args.map(String).join(' ')}`),
  });

  const minted: MintedToken[] = [];
  const announcedLife = new Map<string, number>();
  const recorder = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      pass(req, Buffer.concat(chunks), res).catch(() => res.destroy());
    });
  });
  async function pass(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || ['host', 'connection', 'content-length'].includes(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', origin);
    const answer = await fetch(url, {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
      redirect: 'manual',
    });
    let text = await answer.text();
    const run = /^\/api\/runs\/([^/]+)\/federated-token$/.exec(url.pathname);
    if (run && answer.status === 200) {
      const execId = decodeURIComponent(run[1] ?? '');
      const token = FederatedTokenAnswer.parse(JSON.parse(text));
      const { workerId } = FederatedTokenRequest.parse(JSON.parse(body.toString('utf8')));
      minted.push({ execId, workerId, token: token.token });
      const life = announcedLife.get(execId);
      if (life !== undefined)
        text = JSON.stringify({ ...token, expiresOn: new Date(Date.now() + life * 1000).toISOString() });
    }
    const type = answer.headers.get('content-type');
    res.writeHead(answer.status, type ? { 'content-type': type } : {});
    res.end(text);
  }
  const listening = await listenOnLoopback(recorder);

  return {
    url: `http://127.0.0.1:${listening.port}`,
    host,
    issuer,
    minted,
    announcedLife,
    logs,
    restart(env) {
      services = servicesFor(env);
    },
    async close() {
      await listening.close();
      await host.close();
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}
