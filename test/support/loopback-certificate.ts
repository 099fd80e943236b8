import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A self-signed certificate for 127.0.0.1, as PEM files: what a loopback fake serves TLS with. */
export interface LoopbackCertificate {
  /** The folder holding both files: remove it when done. */
  readonly dir: string;
  readonly keyFile: string;
  /** The certificate, which a client trusts as its CA (`ca`, SSL_CERT_FILE, REQUESTS_CA_BUNDLE). */
  readonly certFile: string;
}

/**
 * Made by openssl in a folder of its own. Fakes of services whose clients insist on https (Entra for
 * azure-identity, Key Vault for bearer tokens) serve it; a day's validity outlives any test run.
 */
export function loopbackCertificate(prefix: string): LoopbackCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { dir, keyFile, certFile };
}
