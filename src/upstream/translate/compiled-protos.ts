import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { SnetError } from '../../errors/index.ts';

/** One `.proto` file of the service's API (from the metadata's proto tarball). */
export interface ProtoSource {
  /** Path inside the tarball, for messages. */
  readonly name: string;
  readonly content: string;
}

/** The message types of one method, resolved once at start-up. */
export interface MethodTypes {
  /** `/<package>.<Service>/<method>` as clients call it. */
  readonly path: string;
  readonly input: protobuf.Type;
  readonly output: protobuf.Type;
  readonly serverStreaming: boolean;
}

/** The service's protos, compiled: what the translating upstreams look methods up in. */
export interface CompiledProtos {
  /**
   * The method a gRPC path names: the exact `/<package>.<Service>/<method>` first, else (as the reference
   * does for the http type) the first method of any service with that simple name. `undefined` if none.
   */
  method(path: string): MethodTypes | undefined;
  /** Every `/<package>.<Service>/<method>` the protos declare, in declaration order. */
  readonly methodPaths: readonly string[];
  /** The proto file names compiled, for logs. */
  readonly files: readonly string[];
}

const require = createRequire(import.meta.url);

/** Google's descriptor.proto (options extensions import it); protobufjs ships it as JSON outside `common`. */
const DESCRIPTOR = 'google/protobuf/descriptor.proto';

/**
 * Compiles the proto files of a service (all in one namespace, as protoc does with the tarball's files) with
 * proto field names (`keepCase`): the JSON the translators produce uses the names the .proto declares. The
 * google well-known types an import names are added from protobufjs. Extensions of types the tarball does not
 * define (e.g. `extend google.protobuf.MethodOptions` from an unpublished `pricing.proto`) do not stop the compile:
 * they are options, never part of a message. Throws `METADATA_INVALID` naming the file that does not parse or a
 * type that cannot be resolved.
 */
export function compileProtos(files: readonly ProtoSource[]): CompiledProtos {
  const root = new protobuf.Root();
  const imported = new Set<string>();
  for (const file of files) {
    // A tarball may carry its own copy of a well-known type; protobufjs' copy is the same definition.
    if (file.name.startsWith('google/protobuf/') && (protobuf.common.get(file.name) !== null || file.name === DESCRIPTOR)) continue;
    let parsed: protobuf.IParserResult;
    try {
      parsed = protobuf.parse(file.content, root, { keepCase: true });
    } catch (cause) {
      throw invalid(`the service proto ${file.name} does not parse: ${messageOf(cause)}`, cause);
    }
    for (const name of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
      if (imported.has(name) || !name.startsWith('google/protobuf/')) continue;
      imported.add(name);
      const json = name === DESCRIPTOR ? (require('protobufjs/google/protobuf/descriptor.json') as protobuf.INamespace) : protobuf.common.get(name);
      if (json?.nested !== undefined) root.addJSON(json.nested);
    }
  }
  try {
    // Namespace.resolveAll, not Root.resolveAll: the latter refuses extensions of types that are not in the tarball.
    protobuf.Namespace.prototype.resolveAll.call(root);
  } catch (cause) {
    throw invalid(`the service protos (${files.map((f) => f.name).join(', ')}) do not compile: ${messageOf(cause)}`, cause);
  }
  const byPath = new Map<string, MethodTypes>();
  const bySimpleName = new Map<string, MethodTypes>();
  for (const service of servicesOf(root, [])) {
    const serviceName = service.fullName.slice(1);
    for (const method of service.methodsArray) {
      method.resolve();
      const types: MethodTypes = {
        path: `/${serviceName}/${method.name}`,
        input: method.resolvedRequestType as protobuf.Type,
        output: method.resolvedResponseType as protobuf.Type,
        serverStreaming: method.responseStream === true,
      };
      byPath.set(types.path, types);
      if (!bySimpleName.has(method.name)) bySimpleName.set(method.name, types);
    }
  }
  return {
    method(path) {
      const exact = byPath.get(path);
      if (exact !== undefined) return exact;
      const slash = path.lastIndexOf('/');
      // Only a well-formed `/<service>/<method>` falls back to the simple name.
      return slash > 1 && path.charCodeAt(0) === 47 && path.indexOf('/', 1) === slash ? bySimpleName.get(path.slice(slash + 1)) : undefined;
    },
    methodPaths: [...byPath.keys()],
    files: files.map((f) => f.name),
  };
}

function servicesOf(namespace: protobuf.NamespaceBase, out: protobuf.Service[]): protobuf.Service[] {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Service) out.push(nested);
    else if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) servicesOf(nested, out);
  }
  return out;
}

function invalid(message: string, cause: unknown): SnetError {
  return new SnetError('METADATA_INVALID', message, {
    hint: 'Fix the .proto files (they must compile with protoc) and publish them again with snet-cli.',
    cause,
  });
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
