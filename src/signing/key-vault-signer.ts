import { createHash } from 'node:crypto';
import type { CryptographyClient, KeyClient, KeyClientOptions, KeyProperties, KeyVaultKey } from '@azure/keyvault-keys';
import { calculateJwkThumbprint } from 'jose';
import type { Jwks, PublicJwk } from '../core/oidc-discovery.js';
import { isWithinGrace, toPublicJwk } from '../core/oidc-discovery.js';
import type { Signer, SigningKey } from './signer.js';

/** What Key Vault calls are made as: the app's managed identity in Azure, a static token in tests. */
export type KeyVaultCredential = ConstructorParameters<typeof KeyClient>[1];

export interface KeyVaultSignerOptions {
  /** `https://<vault>.vault.azure.net` */
  readonly vaultUrl: string;
  /** The key's name; its newest version signs, older ones stay in the JWKS during the grace period. */
  readonly keyName: string;
  readonly credential: KeyVaultCredential;
  /** How long a retired version stays in the JWKS after its successor was created, in ms. */
  readonly graceMs: number;
  /** How long the key set read from the vault is reused, in ms (default 5 minutes). */
  readonly refreshMs?: number;
  /** The clock (default Date.now). */
  readonly now?: () => number;
  /** SDK pipeline options (tests: the fake vault's CA and challenge resource). */
  readonly clientOptions?: KeyClientOptions;
  /** Told when a refresh failed and the previous key set is served instead. */
  readonly onError?: (message: string, err: unknown) => void;
}

/** One version of the key, public half and where it signs. */
interface VaultKeyVersion {
  readonly kid: string;
  readonly jwk: PublicJwk;
  readonly key: KeyVaultKey;
}

interface KeySet {
  readonly fetchedAtMs: number;
  readonly current: VaultKeyVersion;
  readonly retired: readonly VaultKeyVersion[];
}

interface Sdk {
  readonly keys: KeyClient;
  crypto(key: KeyVaultKey): CryptographyClient;
}

const DEFAULT_REFRESH_MS = 5 * 60_000;

/**
 * Signs with a non-exportable Key Vault key: the private half never leaves the vault, ClouDO sends the
 * SHA-256 digest to `POST /keys/<name>/<version>/sign`. Rotating is Key Vault's own (a new version, by hand
 * or by its rotation policy); this signer picks the newest version up within `refreshMs`.
 */
export class KeyVaultSigner implements Signer {
  private readonly now: () => number;
  private readonly refreshMs: number;
  private sdk: Promise<Sdk> | null = null;
  private keySet: KeySet | null = null;
  private pending: Promise<KeySet> | null = null;
  /** Versions are immutable: their public keys are read once. */
  private readonly versions = new Map<string, Promise<VaultKeyVersion>>();
  private readonly cryptoClients = new Map<string, CryptographyClient>();

  constructor(private readonly options: KeyVaultSignerOptions) {
    if (!URL.canParse(options.vaultUrl)) throw new Error(`vaultUrl is not a URL: "${options.vaultUrl}"`);
    if (!options.keyName) throw new Error('keyName must be set');
    if (!(options.graceMs > 0)) throw new Error('graceMs must be > 0');
    this.refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
    if (!(this.refreshMs >= 0)) throw new Error('refreshMs must be >= 0');
    this.now = options.now ?? Date.now;
  }

  async currentKey(): Promise<SigningKey> {
    const { current } = await this.currentKeySet();
    const sdk = await this.loadSdk();
    const version = current.key.properties.version ?? '';
    let crypto = this.cryptoClients.get(version);
    if (!crypto) {
      // built from the key bundle, not its id: the SDK would otherwise GET the key before its first sign
      crypto = sdk.crypto(current.key);
      this.cryptoClients.set(version, crypto);
    }
    const client = crypto;
    return {
      kid: current.kid,
      sign: async (signingInput) => {
        const digest = createHash('sha256').update(signingInput, 'utf8').digest();
        return (await client.sign('RS256', digest)).result;
      },
    };
  }

  async publicJwks(): Promise<Jwks> {
    const { current, retired } = await this.currentKeySet();
    return { keys: [current.jwk, ...retired.map((k) => k.jwk)] };
  }

  private async currentKeySet(): Promise<KeySet> {
    const known = this.keySet;
    if (known && this.now() - known.fetchedAtMs < this.refreshMs) return known;
    this.pending ??= this.readKeySet().finally(() => {
      this.pending = null;
    });
    try {
      this.keySet = await this.pending;
      return this.keySet;
    } catch (err) {
      if (!known) throw err;
      // a vault hiccup must not empty the JWKS Entra verifies with: the last key set is still right
      this.options.onError?.(`Key Vault key ${this.options.keyName}: refresh failed, serving the last key set`, err);
      return known;
    }
  }

  private async readKeySet(): Promise<KeySet> {
    const { keys } = await this.loadSdk();
    const fetchedAtMs = this.now();
    const latest = await keys.getKey(this.options.keyName);
    const current = await this.version(latest.properties.version ?? '', latest);
    const all: KeyProperties[] = [];
    for await (const p of keys.listPropertiesOfKeyVersions(this.options.keyName)) all.push(p);
    all.sort((a, b) => (a.createdOn?.getTime() ?? 0) - (b.createdOn?.getTime() ?? 0));
    const retired: Promise<VaultKeyVersion>[] = [];
    for (const [i, p] of all.entries()) {
      // a version retires when the next one is created
      const successor = all[i + 1]?.createdOn;
      if (!p.version || p.version === current.key.properties.version || !successor || p.enabled === false) continue;
      if (isWithinGrace(successor.getTime(), fetchedAtMs, this.options.graceMs)) retired.push(this.version(p.version));
    }
    return { fetchedAtMs, current, retired: (await Promise.all(retired)).reverse() };
  }

  private version(version: string, bundle?: KeyVaultKey): Promise<VaultKeyVersion> {
    let known = this.versions.get(version);
    if (!known) {
      known = (async () => {
        const key = bundle ?? (await (await this.loadSdk()).keys.getKey(this.options.keyName, { version }));
        return toVersion(key);
      })();
      known.catch(() => this.versions.delete(version));
      this.versions.set(version, known);
    }
    return known;
  }

  /** `@azure/keyvault-keys` is loaded on first use: a process on a key file never pays for it. */
  private loadSdk(): Promise<Sdk> {
    this.sdk ??= import('@azure/keyvault-keys').then(({ KeyClient, CryptographyClient }) => {
      const { vaultUrl, credential, clientOptions } = this.options;
      return {
        keys: new KeyClient(vaultUrl, credential, clientOptions),
        crypto: (key: KeyVaultKey) => new CryptographyClient(key, credential, clientOptions),
      };
    });
    return this.sdk;
  }
}

async function toVersion(key: KeyVaultKey): Promise<VaultKeyVersion> {
  const { kty, n, e } = key.key ?? {};
  if (!kty?.startsWith('RSA') || !n || !e) {
    throw new Error(`Key Vault key ${key.name} (${key.properties.version}) is not an RSA key: RS256 needs one`);
  }
  const publicKey = { n: Buffer.from(n).toString('base64url'), e: Buffer.from(e).toString('base64url') };
  const kid = await calculateJwkThumbprint({ kty: 'RSA', ...publicKey });
  return { kid, jwk: toPublicJwk(kid, publicKey), key };
}
