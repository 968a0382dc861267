import type { FastifyPluginAsync } from 'fastify'
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

export interface ModuleRouteOptions<Config = unknown> {
  /** The module's configuration, validated against its `configSchema` at boot. */
  config: Config
}

export interface ModuleDefinition<Config = unknown> {
  manifest: ModuleManifest
  /** Folder of SQL migrations in Prisma's layout, applied in order and recorded per module. */
  migrations?: URL
  /** An encapsulated Fastify plugin, registered under `/api/<code lowercase>`. */
  routes?: FastifyPluginAsync<ModuleRouteOptions<Config>>
}

/** Identity function that gives a module definition its type; the core validates it at boot. */
export function defineModule<Config = unknown>(
  definition: ModuleDefinition<Config>,
): ModuleDefinition<Config> {
  return definition
}
