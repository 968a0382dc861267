import type { FastifyInstance } from 'fastify'
import type { LoadedModule } from './load-modules.ts'
import { ModuleContractError } from './module-contract-error.ts'

export const modulePrefix = (code: string) => `/api/${code.toLowerCase()}`

/**
 * Registers each module's routes in its own encapsulated scope under `/api/<code>`. Every route gets the
 * module's code for the permissions plugin, and a permission the manifest does not declare stops the boot.
 */
export async function registerModuleRoutes(fastify: FastifyInstance, modules: LoadedModule[]): Promise<void> {
  for (const mod of modules) {
    const { routes } = mod.definition
    if (!routes) continue
    const name = `${mod.packageName} (${mod.manifest.code})`
    await fastify.register(
      async (scope) => {
        scope.addHook('onRoute', (route) => {
          const permission = route.config?.permission
          if (route.config?.module && route.config.module !== mod.manifest.code) {
            throw new ModuleContractError(
              name,
              `route ${route.method} ${route.url} claims module ${route.config.module}`,
            )
          }
          if (permission !== undefined && !mod.manifest.permissions.includes(permission)) {
            throw new ModuleContractError(
              name,
              `route ${route.method} ${route.url} uses permission "${permission}", which the manifest does not declare (${mod.manifest.permissions.join(', ')})`,
            )
          }
          route.config = { ...route.config, module: mod.manifest.code }
          route.schema = { ...route.schema, tags: route.schema?.tags ?? [mod.manifest.code] }
        })
        await scope.register(routes, { config: mod.config })
      },
      { prefix: modulePrefix(mod.manifest.code) },
    )
  }
}
