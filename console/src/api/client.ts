/**
 * A typed client for the HTTP contract. Paths, methods, path and query parameters, request bodies and
 * answers all come from `schema.gen.ts`, which `npm run api-types` generates from the API's own OpenAPI
 * document (functions/docs/openapi.json, kept fresh by `make openapi` and a test). A route or field the
 * contract does not have fails `tsc`, so the console cannot drift from the API unnoticed.
 */

import { ApiError } from "./errors";
import type { components, paths } from "./schema.gen";

export type Schemas = components["schemas"];
export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";
export type ApiPath = keyof paths;

/** The methods the contract defines on a path. */
export type MethodsOf<P extends ApiPath> = {
  [M in HttpMethod]: paths[P][M] extends undefined ? never : M;
}[HttpMethod];

export type Operation<P extends ApiPath, M extends MethodsOf<P>> = Exclude<paths[P][M], undefined>;

type JsonOf<R> = R extends { content: { "application/json": infer Body } } ? Body : never;
type SuccessStatus = 200 | 201 | 202 | 204;

/** What a successful call answers (null for 204). */
export type ResponseOf<Op> = Op extends { responses: infer R }
  ? JsonOf<R[Extract<keyof R, SuccessStatus>]>
  : never;

type BodyOf<Op> = Op extends { requestBody?: never }
  ? undefined
  : Op extends { requestBody: { content: { "application/json": infer Body } } }
    ? Body
    : Op extends { requestBody?: { content: { "application/json": infer Body } } }
      ? Body | undefined
      : undefined;

type PathParamsOf<Op> = Op extends { parameters: { path: infer Params } } ? Params : undefined;
type QueryOf<Op> = Op extends { parameters: { query?: infer Query } } ? Query : never;

export type RequestOptions<Op> = {
  query?: QueryOf<Op>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
} & (PathParamsOf<Op> extends undefined ? { path?: undefined } : { path: PathParamsOf<Op> }) &
  (BodyOf<Op> extends undefined ? { body?: undefined } : { body: BodyOf<Op> });

type OptionsArgument<Op> =
  object extends RequestOptions<Op> ? [options?: RequestOptions<Op>] : [options: RequestOptions<Op>];

export interface ApiClientOptions {
  /** Where the API lives, without a trailing slash; "" is the origin that serves the console. */
  baseUrl: string;
  /** The bearer token of the signed-in user, read on every call. */
  token: () => string | null;
  /** Called with a 401 before it is thrown: the token is no longer good, whatever the screen. */
  onUnauthorized?: (error: ApiError) => void;
  fetch?: typeof fetch;
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  /** Calls one route of the contract; resolves with its answer or rejects with an ApiError. */
  async request<P extends ApiPath, M extends MethodsOf<P>>(
    method: M,
    path: P,
    ...[options]: OptionsArgument<Operation<P, M>>
  ): Promise<ResponseOf<Operation<P, M>>> {
    const opts = (options ?? {}) as {
      path?: Record<string, string>;
      query?: Record<string, unknown>;
      body?: unknown;
      headers?: Record<string, string>;
      signal?: AbortSignal;
    };
    const url = this.url(path, opts.path, opts.query);
    const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
    const token = this.options.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init: RequestInit = { method: method.toUpperCase(), headers, signal: opts.signal ?? null };
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    const fetchImpl = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await fetchImpl(url, init);
    } catch (cause) {
      if (opts.signal?.aborted) throw cause;
      throw ApiError.network(this.baseUrl || window.location.origin, cause);
    }
    if (!response.ok) {
      const error = await ApiError.fromResponse(response);
      if (error.status === 401) this.options.onUnauthorized?.(error);
      throw error;
    }
    if (response.status === 204) return null as ResponseOf<Operation<P, M>>;
    return (await response.json()) as ResponseOf<Operation<P, M>>;
  }

  private url(
    template: string,
    pathParams: Record<string, string> | undefined,
    query: Record<string, unknown> | undefined,
  ): string {
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = pathParams?.[name];
      if (value === undefined) throw new Error(`${template} needs the path parameter ${name}`);
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
    }
    const queryString = search.toString();
    return `${this.baseUrl}${path}${queryString ? `?${queryString}` : ""}`;
  }
}

/** A page of any list: `{"items", "next_cursor"}`. */
export interface Page<Item> {
  items: Item[];
  next_cursor: string | null;
}
