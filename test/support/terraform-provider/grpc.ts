/**
 * The adapter to @grpc/grpc-js and @grpc/proto-loader, which describe messages without TypeScript types:
 * the vendored .proto files become service definitions, and plain functions (request → response)
 * become unary handlers. The services' own code types its requests and responses itself.
 */
import {
  type GrpcObject,
  type handleUnaryCall,
  loadPackageDefinition,
  type ServiceDefinition,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const PROTO_DIR = new URL('./proto/', import.meta.url).pathname;

export interface Services {
  provider: ServiceDefinition;
  health: ServiceDefinition;
  controller: ServiceDefinition;
}

function service(root: GrpcObject, path: string): ServiceDefinition {
  let node: unknown = root;
  for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  const definition = (node as { service?: ServiceDefinition } | undefined)?.service;
  if (!definition) throw new Error(`no service ${path} in ${PROTO_DIR}`);
  return definition;
}

export function loadServices(): Services {
  const definition = loadSync(['tfplugin5.8.proto', 'grpc_controller.proto', 'health.proto'], {
    includeDirs: [PROTO_DIR],
    // field names as the .proto spells them, int64 as numbers, enums by name, absent fields as defaults
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const root = loadPackageDefinition(definition);
  return {
    provider: service(root, 'tfplugin5.Provider'),
    health: service(root, 'grpc.health.v1.Health'),
    controller: service(root, 'plugin.GRPCController'),
  };
}

type Handler = (request: never) => object;

/**
 * Unary handlers from plain functions. A thrown error becomes an INTERNAL status with its message, which
 * Terraform reports as a provider error; methods left out answer UNIMPLEMENTED (grpc-js does that).
 */
export function handlers<T extends object>(impl: T): UntypedServiceImplementation {
  const out: UntypedServiceImplementation = {};
  for (const [name, fn] of Object.entries(impl) as [string, Handler][]) {
    const handler: handleUnaryCall<unknown, object> = (call, callback) => {
      try {
        // the request has the shape the .proto gives it, which the service types for itself
        callback(null, fn(call.request as never));
      } catch (err) {
        process.stderr.write(`[fake-provider] ${name} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
        callback({ code: status.INTERNAL, details: `${name}: ${err instanceof Error ? err.message : String(err)}` });
      }
    };
    out[name] = handler;
  }
  return out;
}
