import protobuf from 'protobufjs';
import { SnetError } from '../../errors/index.ts';

// Dynamic pricing, part 1 (Go `pricing/dynamic_method_pricing.go`, docs/payments.md "Dynamic pricing"): which methods are priced by an
// estimate method of the service. The service's protos mark them with
//   rpc m(Req) returns (Res) { option (pricing.my_method_option).estimatePriceMethod = "/pkg.Svc/estimate_m"; }
// (extension 9999127 of google.protobuf.MethodOptions, Go `pricing/pricing.proto`). The reference scans the
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

/** A method as declared in one proto file: its message types as written, with the scope to resolve them in. */
interface DeclaredMethod {
  /** The file that declares it. */
  readonly file: string;
  /** Fully qualified names the request type may resolve to (protobuf scoping; imports are not resolved). */
  readonly requestCandidates: readonly string[];
  readonly requestType: string;
}

/**
 * The fully qualified names a type reference may denote (protobuf scoping without the imported files): a leading
 * dot is absolute; otherwise the name is looked up from the innermost enclosing scope outwards, so `T` in
 * `a.b.Svc` may be `a.b.Svc.T`, `a.b.T`, `a.T` or `T`.
 */
function typeCandidates(reference: string, scope: string): string[] {
  if (reference.startsWith('.')) return [reference.slice(1)];
  const parts = scope === '' ? [] : scope.split('.');
  const out: string[] = [];
  for (let n = parts.length; n >= 0; n--) out.push([...parts.slice(0, n), reference].join('.'));
  return out;
}

/** Methods of the service protos and the estimate methods they name, plus warnings that do not stop start-up. */
export interface EstimateMethods {
  /** Full method path of a dynamically priced method → the path of its estimate method. */
  readonly methods: ReadonlyMap<string, string>;
  /**
   * Estimate methods whose request type cannot be the priced method's: the daemon sends the priced call's
   * first message unchanged (Go `pricing/dynamic_method_pricing.go`), so such an estimate would decode foreign bytes. Only a warning:
   * imports are not resolved, so two spellings of one type are told apart only when no scope can make them equal.
   */
  readonly warnings: readonly string[];
}

/**
 * Parses the service's `.proto` files and returns the dynamically priced methods: full method path
 * (`/<package>.<Service>/<method>`, no `package.` part for a package-less proto) → the path of its estimate
 * method. Each file is parsed on its own (imports are not resolved, as in the reference). Throws a start-up
 * `SnetError` `DYNAMIC_PRICING_INVALID` naming the file or method when a file does not parse, an
 * option value is not a method path, or it names a method none of the files declare.
 */
export function describeEstimateMethods(files: readonly ProtoFile[]): EstimateMethods {
  const declared = new Map<string, DeclaredMethod>();
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
      const scope = service.fullName.slice(1);
      const prefix = `/${scope}/`;
      for (const method of service.methodsArray) {
        const path = `${prefix}${method.name}`;
        declared.set(path, { file: file.name, requestType: method.requestType, requestCandidates: typeCandidates(method.requestType, scope) });
        const options = method.options as Record<string, unknown> | undefined;
        if (options !== undefined && Object.hasOwn(options, ESTIMATE_PRICE_OPTION)) marked.push({ method: path, estimate: options[ESTIMATE_PRICE_OPTION], file: file.name });
      }
    }
  }
  const methods = new Map<string, string>();
  const warnings: string[] = [];
  for (const { method, estimate, file } of marked) {
    if (typeof estimate !== 'string' || !METHOD_PATH.test(estimate)) {
      throw invalid(`${file}: the estimatePriceMethod of ${method} is ${JSON.stringify(estimate)}, not a method path like "/<package>.<Service>/<method>"`);
    }
    const target = declared.get(estimate);
    if (target === undefined) {
      throw invalid(`${file}: the estimatePriceMethod of ${method} names ${estimate}, which no published proto declares (declared: ${[...declared.keys()].join(', ')})`);
    }
    const priced = declared.get(method) as DeclaredMethod;
    if (!priced.requestCandidates.some((name) => target.requestCandidates.includes(name))) {
      warnings.push(
        `${method} (${file}) takes ${priced.requestType} but its estimate method ${estimate} (${target.file}) takes ${target.requestType}: the estimate receives the call's first message unchanged, so its request type should be the same message`,
      );
    }
    methods.set(method, estimate);
  }
  return { methods, warnings };
}

/** {@link describeEstimateMethods} without the warnings. */
export function extractEstimateMethods(files: readonly ProtoFile[]): ReadonlyMap<string, string> {
  return describeEstimateMethods(files).methods;
}
