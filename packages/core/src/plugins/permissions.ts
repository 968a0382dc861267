import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { effectiveFilters, type PermissionFilter } from '../auth/grants.ts'
import { forbidden } from '../http/app-error.ts'
import { ACTIONS, type Action, type Scope } from '../modules/contract.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The effective scope of the route's permission for this user (null on routes without one). */
    scope: Scope | null
    /**
     * The permission rows that grant the route's action (null on routes without one): OR-ed, widest scope first; a row
     * with a taxon or area filter grants only within it. `scope` is the widest of them, filters ignored.
     */
    permissionFilters: PermissionFilter[] | null
    /** The rows granting another action (of the route's module unless `module` is given); [] = no grant. */
    getPermissionFilters(action: Action, module?: string): PermissionFilter[]
  }
  interface FastifyContextConfig {
    /** The module whose permission guards the route (set automatically on module routes). */
    module?: string
    /** The CRUVED action the caller must hold in `module`; the handler gets its scope in `request.scope`. */
    permission?: Action
  }
}

/**
 * The one place permissions are enforced: a route declares `config: { permission }` (and, for core
 * routes, `module`); callers without a grant get 403 before any handler or validation runs.
 */
export const permissionsPlugin = fp(
  async (fastify: FastifyInstance, opts: { declaredActions: Map<string, readonly Action[]> }) => {
    fastify.decorateRequest('scope', null)
    fastify.decorateRequest('permissionFilters', null)
    fastify.decorateRequest(
      'getPermissionFilters',
      function (this: FastifyRequest, action: Action, module?: string) {
        const code = module ?? this.routeOptions.config?.module
        return code ? effectiveFilters(this._permissionRows?.[code]?.[action] ?? []) : []
      },
    )

    fastify.addHook('onRoute', (route) => {
      const permission = route.config?.permission
      if (permission === undefined) return
      if (!ACTIONS.includes(permission)) {
        throw new Error(`Route ${route.method} ${route.url}: unknown permission action "${permission}"`)
      }
      const moduleCode = route.config?.module
      // Module routes get their module (and their check against the manifest) from the module registrar.
      if (moduleCode === undefined) return
      const declared = opts.declaredActions.get(moduleCode)
      if (!declared?.includes(permission)) {
        throw new Error(
          `Route ${route.method} ${route.url}: module ${moduleCode} does not declare "${permission}"`,
        )
      }
    })

    fastify.addHook('onRequest', async (request) => {
      const { permission, module: moduleCode } = request.routeOptions.config ?? {}
      if (!permission || !moduleCode || !request.user) return
      const scope = (await request.getGrants())[moduleCode]?.[permission]
      if (!scope) {
        throw forbidden(
          'PERMISSION_DENIED',
          `You have no "${permission}" permission in module ${moduleCode}`,
          {
            module: moduleCode,
            action: permission,
          },
        )
      }
      request.scope = scope
      request.permissionFilters = request.getPermissionFilters(permission, moduleCode)
    })
  },
  { name: 'permissions', dependencies: ['auth'] },
)
