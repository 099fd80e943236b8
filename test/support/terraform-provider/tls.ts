/**
 * go-plugin's automatic mutual TLS (hashicorp/go-plugin, client.go and mtls.go): Terraform passes its own
 * client certificate in PLUGIN_CLIENT_CERT and trusts only the server certificate that the plugin prints,
 * base64 (standard alphabet, no padding) of its DER, in the handshake line. That certificate must name
 * "localhost" (the client's ServerName) and be its own CA. node:crypto makes keys but not certificates,
 * hence the openssl CLI; one certificate serves every provider process of a test run.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerCertificate {
  certPem: Buffer;
  keyPem: Buffer;
  /** What the handshake line carries: base64 of the DER, without padding (Go's RawStdEncoding). */
  handshake: string;
}

/** Creates `cert.pem` and `key.pem` in `dir` unless they are there already. */
export function ensureServerCertificate(dir: string): void {
  if (existsSync(join(dir, 'cert.pem')) && existsSync(join(dir, 'key.pem'))) return;
  mkdirSync(dir, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign',
      '-addext',
      'extendedKeyUsage=serverAuth,clientAuth',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
}

export function loadServerCertificate(dir: string): ServerCertificate {
  ensureServerCertificate(dir);
  const certPem = readFileSync(join(dir, 'cert.pem'));
  const keyPem = readFileSync(join(dir, 'key.pem'));
  const handshake = new X509Certificate(certPem).raw.toString('base64').replace(/=+$/, '');
  return { certPem, keyPem, handshake };
}
