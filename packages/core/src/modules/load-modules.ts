import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import semver from 'semver'
import { Value } from 'typebox/value'
import { rootDir } from '../config.ts'
import { createAjv } from '../http/validators.ts'
import type { ModuleDefinition, ModuleManifest } from './contract.ts'
import { ModuleManifestSchema } from './contract.ts'
import { ModuleContractError } from './module-contract-error.ts'

export interface LoadedModule {
  definition: ModuleDefinition
  manifest: ModuleManifest
  packageName: string
  packageDir: string
  /** Validated module configuration (defaults applied). */
  config: unknown
  /** Absolute path of the UI entry file, when the module has a UI. */
  frontendEntryFile: string | null
}

interface PackageJson {
  name?: string
  main?: string
  exports?: string | Record<string, unknown>
}

const configAjv = createAjv({ coerceTypes: false })

const RESERVED_CODES = new Set(['ADMIN', 'AUTH', 'MODULES', 'HEALTH', 'DOCS', 'OPENAPI'])

export const coreVersion: string = (
  JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as {
    version: string
  }
).version

/** A spec is a package name (resolved from the repository's node_modules) or a path (from the repository root). */
function resolvePackageDir(spec: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) return resolve(rootDir, spec)
  return join(rootDir, 'node_modules', spec)
}

function entryOf(pkg: PackageJson): string {
  const exp = pkg.exports
  if (typeof exp === 'string') return exp
  const dot = exp?.['.']
  if (typeof dot === 'string') return dot
  if (dot && typeof dot === 'object') {
    const conditions = dot as Record<string, unknown>
    const target = conditions.import ?? conditions.default
    if (typeof target === 'string') return target
  }
  return pkg.main ?? 'index.js'
}

async function loadOne(spec: string, modulesConfig: Record<string, unknown>): Promise<LoadedModule> {
  const packageDir = resolvePackageDir(spec)
  const packageJsonPath = join(packageDir, 'package.json')
  if (!existsSync(packageJsonPath)) {
    throw new ModuleContractError(
      spec,
      `package not found (looked for ${packageJsonPath}); install it or fix MODULES`,
    )
  }
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as PackageJson
  const packageName = pkg.name ?? spec
  let imported: { default?: unknown }
  try {
    imported = (await import(pathToFileURL(join(packageDir, entryOf(pkg))).href)) as { default?: unknown }
  } catch (error) {
    throw new ModuleContractError(packageName, `cannot be imported: ${(error as Error).message}`)
  }
  const definition = imported.default as ModuleDefinition | undefined
  if (!definition || typeof definition !== 'object' || !('manifest' in definition)) {
    throw new ModuleContractError(
      packageName,
      'its entry must `export default defineModule({ manifest, ... })`',
    )
  }
  const manifest = definition.manifest
  const manifestErrors = [...Value.Errors(ModuleManifestSchema, manifest)]
  if (manifestErrors.length > 0) {
    const text = manifestErrors.map((e) => `${e.instancePath || 'manifest'} ${e.message}`).join('; ')
    throw new ModuleContractError(packageName, `invalid manifest: ${text}`)
  }
  const name = `${packageName} (${manifest.code})`
  if (RESERVED_CODES.has(manifest.code)) {
    throw new ModuleContractError(name, `code ${manifest.code} is reserved by the core`)
  }
  if (!semver.validRange(manifest.host)) {
    throw new ModuleContractError(name, `host "${manifest.host}" is not a semver range`)
  }
  if (!semver.satisfies(coreVersion, manifest.host)) {
    throw new ModuleContractError(name, `supports core ${manifest.host}, but this core is ${coreVersion}`)
  }
  const prefix = `${manifest.code.toLowerCase()}.`
  const kinds = (manifest.notifications ?? []).map((n) => n.kind)
  const foreign = kinds.filter((k) => !k.startsWith(prefix))
  if (foreign.length > 0) {
    throw new ModuleContractError(
      name,
      `notification kinds must start with "${prefix}": ${foreign.join(', ')}`,
    )
  }
  const twice = kinds.filter((k, i) => kinds.indexOf(k) !== i)
  if (twice.length > 0) {
    throw new ModuleContractError(
      name,
      `notification kinds declared twice: ${[...new Set(twice)].join(', ')}`,
    )
  }
  if (definition.routes !== undefined && typeof definition.routes !== 'function') {
    throw new ModuleContractError(name, 'routes must be a Fastify plugin function')
  }
  if (definition.migrations !== undefined && !(definition.migrations instanceof URL)) {
    throw new ModuleContractError(name, 'migrations must be a URL to a folder')
  }

  // A copy: Ajv fills in defaults in place.
  const config: unknown = structuredClone(modulesConfig[manifest.code] ?? {})
  if (manifest.configSchema) {
    let validate: ReturnType<typeof configAjv.compile>
    try {
      validate = configAjv.compile(manifest.configSchema)
    } catch (error) {
      throw new ModuleContractError(
        name,
        `configSchema is not a valid JSON schema: ${(error as Error).message}`,
      )
    }
    if (!validate(config)) {
      const text = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; ')
      throw new ModuleContractError(name, `invalid configuration: ${text}`)
    }
  }
  return {
    definition,
    manifest,
    packageName,
    packageDir,
    config,
    frontendEntryFile: manifest.frontend ? resolve(packageDir, manifest.frontend.entry) : null,
  }
}

/** Imports and validates the configured modules; the first contract violation stops the boot. */
export async function loadModules(specs: string[], modulesConfigFile?: string): Promise<LoadedModule[]> {
  const modulesConfig = modulesConfigFile
    ? (JSON.parse(readFileSync(resolve(rootDir, modulesConfigFile), 'utf8')) as Record<string, unknown>)
    : {}
  const modules: LoadedModule[] = []
  for (const spec of specs) {
    const loaded = await loadOne(spec, modulesConfig)
    const clash = modules.find((m) => m.manifest.code === loaded.manifest.code)
    if (clash) {
      throw new ModuleContractError(
        loaded.packageName,
        `code ${loaded.manifest.code} is already used by ${clash.packageName}`,
      )
    }
    modules.push(loaded)
  }
  return modules
}

export function parseModuleList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}
