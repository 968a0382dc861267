/** The signed-in user, as returned by `GET /api/auth/me` and `POST /api/auth/login`. */
export interface Me {
  id: number
  login: string
  firstName: string | null
  lastName: string | null
  email: string | null
  organism: { id: number; name: string } | null
  isAdmin: boolean
}

/** CRUVED actions: Create, Read, Update, Validate, Export, Delete. */
export type CruvedAction = 'C' | 'R' | 'U' | 'V' | 'E' | 'D'

/** Scope of a grant: 1 my data, 2 my organism's data, 3 all data. */
export type Scope = 1 | 2 | 3

export type Grants = Partial<Record<CruvedAction, Scope>>

export interface ModuleFrontend {
  /** URL of the module UI's ES module, e.g. `/modules/occtax/index.js`. */
  entry: string
  /** URL of its stylesheet, or null when it has none. */
  style: string | null
  label: string
  icon: string
}

/** One entry of `GET /api/modules`: a module the current user may read. */
export interface ModuleSummary {
  code: string
  name: string
  version: string
  frontend: ModuleFrontend | null
  grants: Grants
}

/** Body of every API error response. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown }
}
