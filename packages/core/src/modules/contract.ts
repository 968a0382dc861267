import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify'
import { type Static, type TSchema, Type } from 'typebox'

export const ACTIONS = ['C', 'R', 'U', 'V', 'E', 'D'] as const
/** GeoNature's CRUVED: Create, Read, Update, Validate, Export, Delete. */
export type Action = (typeof ACTIONS)[number]
/** 1 = my data, 2 = my organism's data, 3 = all data. */
export type Scope = 1 | 2 | 3

export const ModuleManifestSchema = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,29}$', description: 'Stable upper snake case code' }),
    name: Type.String({ minLength: 1 }),
    version: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+(?:[-+].*)?$' }),
    host: Type.String({ minLength: 1, description: 'Supported core versions, a semver range' }),
    permissions: Type.Array(Type.Union(ACTIONS.map((a) => Type.Literal(a))), {
      minItems: 1,
      uniqueItems: true,
    }),
    frontend: Type.Optional(
      Type.Object(
        {
          entry: Type.String({ pattern: '\\.m?js$', description: 'ES module, relative to the package root' }),
          label: Type.String({ minLength: 1 }),
          icon: Type.String({ minLength: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
    notifications: Type.Optional(
      Type.Array(
        Type.Object(
          {
            kind: Type.String({
              pattern: '^[a-z][a-z0-9_.-]{0,63}$',
              description: '`<module code lowercase>.<event>`, e.g. validation.status',
            }),
            label: Type.String({ minLength: 1, description: 'What users see in their preferences' }),
          },
          { additionalProperties: false },
        ),
        { description: 'Notification kinds the module sends (`notify`); upserted into the database at boot' },
      ),
    ),
    configSchema: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
)

export type ModuleManifest = Omit<Static<typeof ModuleManifestSchema>, 'configSchema' | 'permissions'> & {
  permissions: Action[]
  configSchema?: TSchema
}

/**
 * What the core gives a module's `routes` besides the Fastify instance. Part of the contract: a field is only
 * added here (a minor version of the core), never removed or changed within a major one.
 */
export interface ModuleContext<Config = unknown> {
  /**
   * The module's entry of `MODULES_CONFIG_FILE`, validated against the manifest's `configSchema` at boot (its
   * defaults applied); `{}` when the module has no entry. Type it with `defineModule<Static<typeof configSchema>>`.
   */
  config: Config
}

/** @deprecated Renamed {@link ModuleContext}; kept so that modules written against core 1.0 still compile. */
export type ModuleRouteOptions<Config = unknown> = ModuleContext<Config>

/**
 * The Fastify instance a module's routes are declared on: the TypeBox type provider is set, so a route's
 * `schema` (params, querystring, body, headers, response) types its handler's `request` and `reply`; no cast.
 * It is the encapsulated scope of the module, under `/api/<code lowercase>`, with the core's decorators
 * (`db`, `config`) and request properties (`user`, `scope`, `getGrants()`, `getPermissionFilters()`).
 */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

/**
 * A module's routes: an encapsulated Fastify plugin with the TypeBox type provider, `(app, ctx) => Promise<void>`.
 * A module may split them into several such plugins and `app.register(plugin, ctx)` each one.
 */
export type ModuleRoutes<Config = unknown> = FastifyPluginAsyncTypebox<ModuleContext<Config>>

/**
 * Any request of a module's routes, for helpers shared by several handlers (whatever each route's schema): it
 * carries what the core's plugins set (`user`, `scope`, `getGrants()`, `getPermissionFilters()`). A handler's own
 * `request` is assignable to it.
 */
export type ModuleRequest = FastifyRequest

export interface ModuleDefinition<Config = unknown> {
  manifest: ModuleManifest
  /** Folder of SQL migrations in Prisma's layout, applied in order and recorded per module. */
  migrations?: URL
  /** The module's routes (see {@link ModuleRoutes}), registered in their own scope under `/api/<code lowercase>`. */
  routes?: ModuleRoutes<Config>
}

/** Identity function that gives a module definition its type; the core validates it at boot. */
export function defineModule<Config = unknown>(
  definition: ModuleDefinition<Config>,
): ModuleDefinition<Config> {
  return definition
}
