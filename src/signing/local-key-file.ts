import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, sign } from 'node:crypto';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import { z } from 'zod';
import type { Jwks, PublicJwk } from '../core/oidc-discovery.js';
import { isWithinGrace, toPublicJwk } from '../core/oidc-discovery.js';
import type { Signer, SigningKey } from './signer.js';

const IsoTime = z.iso.datetime({ offset: true });

/** The key file: the current private key, and retired public keys with when their successor replaced them. */
const KeyFile = z.object({
  version: z.literal(1),
  current: z.object({ kid: z.string().min(1), createdAt: IsoTime, privateKeyPem: z.string().min(1) }),
  retired: z.array(
    z.object({
      kid: z.string().min(1),
      createdAt: IsoTime,
      retiredAt: IsoTime,
      publicKey: z.object({ n: z.string(), e: z.string() }),
    }),
  ),
});
type KeyFile = z.infer<typeof KeyFile>;

export interface LocalKeyFileSignerOptions {
  /** The key file; created (with its folder) on first use, mode 0600. */
  readonly path: string;
  /** How long a retired key stays in the JWKS, in ms. */
  readonly graceMs: number;
  /** The clock (tests move it past the grace period). */
  readonly now?: () => number;
}

interface Loaded {
  /** What identifies the file version read: a rotation renames a new file in, so the inode changes. */
  readonly stamp: string;
  readonly file: KeyFile;
  readonly privateKey: KeyObject;
}

/**
 * RS256 keys in a file on this machine: for the local stack and single-machine installs. Every process
 * using the same path signs with the same key, including the first ones racing to create it: each writes
 * a candidate aside and links it into place, which only one link can do, then all read what won.
 */
export class LocalKeyFileSigner implements Signer {
  private readonly now: () => number;
  private loaded: Loaded | null = null;

  constructor(private readonly options: LocalKeyFileSignerOptions) {
    if (!options.path) throw new Error('path must be set');
    if (!(options.graceMs > 0)) throw new Error('graceMs must be > 0');
    this.now = options.now ?? Date.now;
  }

  async currentKey(): Promise<SigningKey> {
    const { file, privateKey } = await this.load();
    return {
      kid: file.current.kid,
      sign: async (signingInput) => sign('sha256', Buffer.from(signingInput, 'utf8'), privateKey),
    };
  }

  async publicJwks(): Promise<Jwks> {
    const { file, privateKey } = await this.load();
    const nowMs = this.now();
    const retired = file.retired
      .filter((k) => isWithinGrace(Date.parse(k.retiredAt), nowMs, this.options.graceMs))
      .map((k) => toPublicJwk(k.kid, k.publicKey));
    return { keys: [toPublicJwk(file.current.kid, rsaPublic(privateKey)), ...retired] };
  }

  /**
   * Makes a new current key; the old one's public key stays in the JWKS for the grace period, and keys
   * retired longer ago leave the file. Returns the new key's `kid`. Two rotations at once: the last wins.
   */
  async rotate(): Promise<string> {
    const { file, privateKey } = await this.load();
    const now = new Date(this.now()).toISOString();
    const next = await newKeyFile(now);
    const retired = [
      { kid: file.current.kid, createdAt: file.current.createdAt, retiredAt: now, publicKey: rsaPublic(privateKey) },
      ...file.retired.filter((k) => isWithinGrace(Date.parse(k.retiredAt), this.now(), this.options.graceMs)),
    ];
    const temp = await this.writeAside({ ...next, retired });
    await rename(temp, this.options.path);
    this.loaded = null;
    return next.current.kid;
  }

  /** The file as it is now: read again only when it changed (a rotation by another process). */
  private async load(): Promise<Loaded> {
    let stamp = await this.stampOf();
    if (stamp === null) {
      await this.create();
      stamp = await this.stampOf();
      if (stamp === null) throw new Error(`${this.options.path} vanished right after it was created`);
    }
    if (this.loaded?.stamp === stamp) return this.loaded;
    const text = await readFile(this.options.path, 'utf8');
    const parsed = KeyFile.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new Error(`${this.options.path} is not a ClouDO signing key file: ${parsed.error.issues[0]?.message}`);
    }
    const file = parsed.data;
    this.loaded = { stamp, file, privateKey: createPrivateKey(file.current.privateKeyPem) };
    return this.loaded;
  }

  private async stampOf(): Promise<string | null> {
    try {
      const s = await stat(this.options.path);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (err) {
      if (isCode(err, 'ENOENT')) return null;
      throw err;
    }
  }

  private async create(): Promise<void> {
    await mkdir(path.dirname(this.options.path), { recursive: true, mode: 0o700 });
    const temp = await this.writeAside(await newKeyFile(new Date(this.now()).toISOString()));
    try {
      // link refuses an existing target, unlike rename: a process that lost the race keeps the winner's key
      await link(temp, this.options.path);
    } catch (err) {
      if (!isCode(err, 'EEXIST')) throw err;
    } finally {
      await unlink(temp);
    }
  }

  /** Writes `file` next to the key file under a unique name, readable by this user only. */
  private async writeAside(file: KeyFile): Promise<string> {
    const temp = `${this.options.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, `${JSON.stringify(KeyFile.parse(file), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return temp;
  }
}

async function newKeyFile(createdAt: string): Promise<KeyFile> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const kid = await calculateJwkThumbprint({ kty: 'RSA', ...rsaPublic(privateKey) });
  return {
    version: 1,
    current: { kid, createdAt, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    retired: [],
  };
}

function rsaPublic(privateKey: KeyObject): Pick<PublicJwk, 'n' | 'e'> {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') throw new Error('signing key is not an RSA key');
  return { n: jwk.n, e: jwk.e };
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === code;
}
