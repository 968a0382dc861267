/**
 * Types of the API, read from the OpenAPI document (generated/openapi.ts, written by `build/api-types.ts` during
 * `build` and `typecheck`, never by hand). Files that call an endpoint name what they use next to the call:
 * `export type Releve = ApiResponse<'/api/occtax/releves/{id}'>`. A field the API does not have fails the typecheck.
 */
import type { paths } from './generated/openapi.ts'

/** Every path of the core and the first-party modules, as `GET /api/openapi.json` lists them. */
export type ApiPaths = paths
export type ApiPath = keyof paths
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'
/** The methods a path has. */
export type ApiMethod<P extends ApiPath> = {
  [M in HttpMethod]: paths[P][M] extends { responses: unknown } ? M : never
}[HttpMethod]

type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never
type SuccessStatus = 200 | 201 | 202

// Operation-level helpers: they work on any openapi-typescript output, e.g. a partner module's own.
/** JSON body of an operation's success answer (200/201/202); `void` for 204. */
export type JsonResponse<Operation> = Operation extends { responses: infer R }
  ? R extends Record<PropertyKey, unknown>
    ? {
        [S in keyof R]: S extends SuccessStatus ? JsonOf<R[S]> : S extends 204 ? undefined : never
      }[keyof R]
    : never
  : never
/** JSON body of an operation's error answers (`{ error: { code, message, details? } }`). */
export type JsonError<Operation> = Operation extends { responses: infer R }
  ? { [S in keyof R]: S extends SuccessStatus | 204 ? never : JsonOf<R[S]> }[keyof R]
  : never
/** JSON request body of an operation. */
export type JsonBody<Operation> = Operation extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never
/** Query parameters of an operation. */
export type QueryOf<Operation> = Operation extends { parameters: { query?: infer Q } }
  ? NonNullable<Q>
  : never

/** The answer of `M P`, e.g. `ApiResponse<'/api/synthese/observations/{id}'>` (the sheet). */
export type ApiResponse<P extends ApiPath, M extends ApiMethod<P> = 'get' & ApiMethod<P>> = JsonResponse<
  paths[P][M]
>
/** The JSON body `M P` takes, e.g. `ApiBody<'/api/occtax/releves', 'post'>`. */
export type ApiBody<P extends ApiPath, M extends ApiMethod<P>> = JsonBody<paths[P][M]>
/** The query parameters of `M P`. */
export type ApiQuery<P extends ApiPath, M extends ApiMethod<P> = 'get' & ApiMethod<P>> = QueryOf<paths[P][M]>
