/**
 * A fake Terraform provider process, as Terraform starts one (through hashicorp/go-plugin):
 *
 *   node --import tsx test/support/terraform-provider/main.ts <azurerm|random|time> <tls dir>
 *
 * (install.ts runs a bundle of it instead, which starts in a third of the time.)
 *
 * It checks the magic cookie, serves tfplugin5.Provider (plus go-plugin's health and controller services)
 * over gRPC with mutual TLS on 127.0.0.1 and an OS-chosen port, and prints the handshake line
 * `1|5|tcp|127.0.0.1:<port>|grpc|<server cert>` that tells Terraform where. It exits when Terraform calls
 * GRPCController.Shutdown, or when killed. Logs go to stderr, which Terraform shows with TF_LOG=debug.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { handlers, loadServices } from './grpc.js';
import { providerService } from './provider.js';
import { loadProviderSchemas } from './schema.js';
import { loadServerCertificate } from './tls.js';

/** go-plugin's handshake: Terraform sets this cookie, so a provider started by hand says what it is. */
const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
const CORE_PROTOCOL_VERSION = 1;
const APP_PROTOCOL_VERSION = 5;

const log = (text: string) => process.stderr.write(`[fake-provider] ${text}\n`);

async function main(): Promise<void> {
  const [provider, tlsDir] = process.argv.slice(2);
  if (!provider || !tlsDir) throw new Error('usage: main.ts <provider> <tls dir>');
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    process.stderr.write('This binary is a plugin. These are not meant to be executed directly.\n');
    process.exit(1);
  }
  const versions = (process.env.PLUGIN_PROTOCOL_VERSIONS ?? '').split(',');
  if (!versions.includes(String(APP_PROTOCOL_VERSION))) {
    throw new Error(`Terraform offers protocol versions ${versions.join(',')}, this provider speaks 5`);
  }

  const services = loadServices();
  const server = new Server();
  const shutdown = () => {
    // answer first: go-plugin waits for the reply, then for the process to end
    setImmediate(() => {
      server.forceShutdown();
      process.exit(0);
    });
  };
  server.addService(services.provider, handlers(providerService(loadProviderSchemas(provider))));
  server.addService(services.health, handlers({ Check: () => ({ status: 'SERVING' }) }));
  server.addService(
    services.controller,
    handlers({
      Shutdown: () => {
        shutdown();
        return {};
      },
    }),
  );

  const clientCert = process.env.PLUGIN_CLIENT_CERT;
  const cert = clientCert ? loadServerCertificate(tlsDir) : undefined;
  const credentials = cert
    ? ServerCredentials.createSsl(
        Buffer.from(clientCert ?? ''),
        [{ private_key: cert.keyPem, cert_chain: cert.certPem }],
        true,
      )
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  log(`${provider} serving tfplugin5 on 127.0.0.1:${port}${cert ? ' with mTLS' : ''}`);
  process.stdout.write(
    `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc${cert ? `|${cert.handshake}` : ''}\n`,
  );
}

// An entry point only (install.ts bundles it): nothing imports this module.
main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
