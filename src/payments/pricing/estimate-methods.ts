import protobuf from 'protobufjs';
import { SnetError } from '../../errors/index.ts';

// Dynamic pricing, part 1 (payments.md §6.1, proxy-and-operations.md §15): which methods are priced by an
// estimate method of the service. The service's protos mark them with
//   rpc m(Req) returns (Res) { option (pricing.my_method_option).estimatePriceMethod = "/pkg.Svc/estimate_m"; }
// (extension 9999127 of google.protobuf.MethodOptions, `[D] pricing/pricing.proto`). The reference scans the
// protos with a lightweight parser and never resolves imports; protobufjs parses each file on its own the same
// way (an unresolved `import "pricing.proto"` is fine) and gives the option under the same name for both the
// `(…).estimatePriceMethod = "…"` and the aggregate `(…) = { estimatePriceMethod: "…" }` spellings.

/** One `.proto` file of the service's API (from the `service_api_source` tarball). */
export interface ProtoFile {
  /** Path inside the tarball, for messages. */
  readonly name: string;
  /** The file's text (UTF-8). */
  readonly content: string;
}

/** The method option that names the estimate method (after protobufjs' normalisation). */
export const ESTIMATE_PRICE_OPTION = '(pricing.my_method_option).estimatePriceMethod';

/** `/<package>.<Service>/<method>` or `/<Service>/<method>`: what a gRPC path looks like. */
const METHOD_PATH = /^\/(?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_][A-Za-z0-9_]*\/[A-Za-z_][A-Za-z0-9_]*$/u;

function invalid(message: string, cause?: unknown): SnetError {
  return new SnetError('DYNAMIC_PRICING_INVALID', message, {
    hint: 'Fix the service protos (estimatePriceMethod must name "/<package>.<Service>/<method>" of a method in the published protos) and publish them again, or set enable_dynamic_pricing to false.',
    ...(cause === undefined ? {} : { cause }),
  });
}

function servicesOf(namespace: protobuf.NamespaceBase, out: protobuf.Service[]): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Service) out.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type || nested instanceof protobuf.Service) servicesOf(nested, out);
  }
}

/**
 * Parses the service's `.proto` files and returns the dynamically priced methods: full method path
 * (`/<package>.<Service>/<method>`, no `package.` part for a package-less proto) → the path of its estimate
 * method. Each file is parsed on its own (imports are not resolved, as in the reference). Throws a start-up
 * `SnetError` `DYNAMIC_PRICING_INVALID` naming the file or method when a file does not parse, an
 * option value is not a method path, or it names a method none of the files declare.
 */
export function extractEstimateMethods(files: readonly ProtoFile[]): ReadonlyMap<string, string> {
  const declared = new Set<string>();
  const marked: { readonly method: string; readonly estimate: unknown; readonly file: string }[] = [];
  for (const file of files) {
    let root: protobuf.Root;
    try {
      root = protobuf.parse(file.content, new protobuf.Root(), { keepCase: true }).root;
    } catch (cause) {
      throw invalid(`service proto ${file.name} does not parse: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
    }
    const services: protobuf.Service[] = [];
    servicesOf(root, services);
    for (const service of services) {
      // fullName is ".pkg.Svc" (".Svc" without a package): the gRPC path drops the leading dot.
      const prefix = `/${service.fullName.slice(1)}/`;
      for (const method of service.methodsArray) {
        const path = `${prefix}${method.name}`;
        declared.add(path);
        const options = method.options as Record<string, unknown> | undefined;
        if (options !== undefined && Object.hasOwn(options, ESTIMATE_PRICE_OPTION)) marked.push({ method: path, estimate: options[ESTIMATE_PRICE_OPTION], file: file.name });
      }
    }
  }
  const map = new Map<string, string>();
  for (const { method, estimate, file } of marked) {
    if (typeof estimate !== 'string' || !METHOD_PATH.test(estimate)) {
      throw invalid(`${file}: the estimatePriceMethod of ${method} is ${JSON.stringify(estimate)}, not a method path like "/<package>.<Service>/<method>"`);
    }
    if (!declared.has(estimate)) {
      throw invalid(`${file}: the estimatePriceMethod of ${method} names ${estimate}, which no published proto declares (declared: ${[...declared].join(', ')})`);
    }
    map.set(method, estimate);
  }
  return map;
}
