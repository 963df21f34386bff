/**
 * Typed per-call values shared between interceptors (the validated payment, the price...), after
 * connect-es `context-values.ts`: a key carries its type and default, so no casts at the call site.
 */
export interface ContextKey<T> {
  readonly id: symbol;
  readonly defaultValue: T;
  readonly description: string;
}

/** Creates a key; each call makes a distinct key even with the same description. */
export function createContextKey<T>(defaultValue: T, options: { description?: string } = {}): ContextKey<T> {
  const description = options.description ?? 'context value';
  return { id: Symbol(description), defaultValue, description };
}

/** The per-call value bag. Values live as long as the call. */
export interface ContextValues {
  get<T>(key: ContextKey<T>): T;
  set<T>(key: ContextKey<T>, value: T): this;
  delete(key: ContextKey<unknown>): this;
}

/** An empty {@link ContextValues}. */
export function createContextValues(): ContextValues {
  return new ContextValuesImpl();
}

class ContextValuesImpl implements ContextValues {
  #values: Map<symbol, unknown> | undefined;

  get<T>(key: ContextKey<T>): T {
    const values = this.#values;
    if (values === undefined || !values.has(key.id)) return key.defaultValue;
    return values.get(key.id) as T;
  }

  set<T>(key: ContextKey<T>, value: T): this {
    (this.#values ??= new Map()).set(key.id, value);
    return this;
  }

  delete(key: ContextKey<unknown>): this {
    this.#values?.delete(key.id);
    return this;
  }
}
