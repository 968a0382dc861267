import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Static, Type } from 'typebox'
import { Value } from 'typebox/value'

/** The repository root: module paths, the data folder and the built shell are resolved from here. */
export const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

export const FIRST_PARTY_MODULES = [
  '@biodiv/module-occtax',
  '@biodiv/module-import',
  '@biodiv/module-validation',
]

const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
  /** PostgreSQL+PostGIS connection string. Unset: the embedded PGlite database in DATA_DIR. */
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DATA_DIR: Type.String({ default: resolve(rootDir, '.data') }),
  /** Where uploaded files (imports) are streamed to. Default: DATA_DIR/uploads. */
  UPLOAD_DIR: Type.Optional(Type.String({ minLength: 1 })),
  HOST: Type.String({ default: '0.0.0.0' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  SESSION_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  SESSION_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, default: 12 }),
  COOKIE_SECURE: Type.Boolean({ default: false }),
  /** Behind a reverse proxy / load balancer: trust X-Forwarded-* (client IP for login throttling). */
  TRUST_PROXY: Type.Boolean({ default: false }),
  LOGIN_RATE_LIMIT: Type.Integer({ minimum: 1, default: 10 }),
  LOGIN_RATE_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  /**
   * Anonymous read access (always blurred) to every dataset; off, only datasets marked public_read are open to it
   * (none by default). Rate-limited per client IP.
   */
  PUBLIC_READ: Type.Boolean({ default: false }),
  PUBLIC_RATE_LIMIT: Type.Integer({ minimum: 1, default: 120 }),
  PUBLIC_RATE_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  /** Comma-separated package names or paths (relative to the repository root) of the modules to load. */
  MODULES: Type.String({ default: FIRST_PARTY_MODULES.join(',') }),
  /** Optional JSON file `{ "<MODULE_CODE>": { ...module config } }`. */
  MODULES_CONFIG_FILE: Type.Optional(Type.String()),
  /** Projected SRID of the instance's territory: ref_geo.areas.geom_local (2154 = RGF93 / Lambert-93). */
  LOCAL_SRID: Type.Integer({ minimum: 1, maximum: 998999, default: 2154 }),
  /** Minutes between two periodic sensitivity refreshes (rule durations that expired); 0 = none. */
  SENSITIVITY_REFRESH_MINUTES: Type.Integer({ minimum: 0, maximum: 10080, default: 60 }),
  SEED_DEMO: Type.Boolean({ default: false }),
  DEMO_PASSWORD: Type.String({ minLength: 1, default: 'demo' }),
  FRONTEND_DIST: Type.String({ default: resolve(rootDir, 'packages/frontend/dist') }),
})

export type AppConfig = Static<typeof ConfigSchema> & {
  SESSION_SECRET: string
  UPLOAD_DIR: string
  /** True when no DATABASE_URL was given and the embedded database serves the app. */
  embedded: boolean
}

/** Outside production a missing SESSION_SECRET falls back to this well-known value (the server logs a warning). */
export const DEVELOPMENT_SESSION_SECRET = 'development-only-session-secret-do-not-use-in-production'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Reads and validates configuration from environment variables (plus overrides, for tests). */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const converted = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw))
  const errors = [...Value.Errors(ConfigSchema, converted)]
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.instancePath.slice(1) || '(root)'}: ${e.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const config = converted as Static<typeof ConfigSchema>
  let secret = config.SESSION_SECRET
  if (!secret) {
    if (config.NODE_ENV === 'production') {
      throw new ConfigError(
        'Invalid configuration:\n  SESSION_SECRET: required in production (32+ characters)',
      )
    }
    secret = DEVELOPMENT_SESSION_SECRET
  }
  return {
    ...config,
    SESSION_SECRET: secret,
    UPLOAD_DIR: resolve(config.UPLOAD_DIR ?? resolve(config.DATA_DIR, 'uploads')),
    embedded: !config.DATABASE_URL,
  }
}
