import type { ApiPaths, ApiResponse, JsonError } from './apiSchema.ts'

/** The signed-in user, as returned by `GET /api/auth/me` and `POST /api/auth/login`. */
export type Me = ApiResponse<'/api/auth/me'>

/** One entry of `GET /api/modules`: a module the current user may read. */
export type ModuleSummary = ApiResponse<'/api/modules'>[number]

export type ModuleFrontend = NonNullable<ModuleSummary['frontend']>

/** The user's grants in one module: CRUVED action → scope. */
export type Grants = ModuleSummary['grants']

/** CRUVED actions: Create, Read, Update, Validate, Export, Delete. */
export type CruvedAction = keyof Grants

/** Scope of a grant: 1 my data, 2 my organism's data, 3 all data. */
export type Scope = NonNullable<Grants[CruvedAction]>

/** Body of every API error response (`{ error: { code, message, details? } }`). */
export type ApiErrorBody = JsonError<ApiPaths['/api/auth/me']['get']>
