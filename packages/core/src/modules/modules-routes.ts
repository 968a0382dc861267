import { existsSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errorResponses } from '../http/error-schema.ts'
import { ACTIONS } from './contract.ts'
import { CORE_MODULES } from './core-modules.ts'
import type { LoadedModule } from './load-modules.ts'

const ScopeSchema = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)])

const ModuleEntry = Type.Object({
  code: Type.String(),
  name: Type.String(),
  version: Type.String(),
  frontend: Type.Union([
    Type.Object({
      entry: Type.String({ description: 'URL of the ES module the shell imports at runtime' }),
      style: Type.Union([Type.String(), Type.Null()], { description: 'URL of the stylesheet, if any' }),
      label: Type.String(),
      icon: Type.String(),
    }),
    Type.Null(),
  ]),
  grants: Type.Object(Object.fromEntries(ACTIONS.map((a) => [a, Type.Optional(ScopeSchema)]))),
})

interface UiAssets {
  urlPrefix: string
  dir: string
  entry: string
  style: string | null
}

function uiAssetsOf(mod: LoadedModule): UiAssets | null {
  if (!mod.frontendEntryFile) return null
  const urlPrefix = `/modules/${mod.manifest.code.toLowerCase()}/`
  const dir = dirname(mod.frontendEntryFile)
  return {
    urlPrefix,
    dir,
    entry: urlPrefix + basename(mod.frontendEntryFile),
    style: existsSync(join(dir, 'style.css')) ? `${urlPrefix}style.css` : null,
  }
}

/** `GET /api/modules` (the modules the caller may read) and the modules' UI bundles under `/modules/<code>/`. */
export const modulesRoutes: FastifyPluginAsyncTypebox<{
  modules: LoadedModule[]
  coreVersion: string
}> = async (fastify, { modules, coreVersion }) => {
  const assets = new Map(modules.map((m) => [m.manifest.code, uiAssetsOf(m)]))
  for (const mod of modules) {
    const ui = assets.get(mod.manifest.code)
    if (!ui) continue
    if (!existsSync(mod.frontendEntryFile!)) {
      fastify.log.warn(
        `Module ${mod.manifest.code}: UI bundle ${mod.frontendEntryFile} is missing (not built?)`,
      )
    }
    await fastify.register(fastifyStatic, {
      root: ui.dir,
      prefix: ui.urlPrefix,
      decorateReply: false,
      cacheControl: false,
      // Bundle names are stable, so browsers must revalidate to pick up a new module version.
      setHeaders: (res) => res.header('cache-control', 'no-cache'),
    })
  }

  const all = [
    ...CORE_MODULES.map((c) => ({ code: c.code, name: c.name, version: coreVersion, frontend: null })),
    ...modules.map((m) => {
      const ui = assets.get(m.manifest.code)
      return {
        code: m.manifest.code,
        name: m.manifest.name,
        version: m.manifest.version,
        frontend:
          ui && m.manifest.frontend
            ? {
                entry: ui.entry,
                style: ui.style,
                label: m.manifest.frontend.label,
                icon: m.manifest.frontend.icon,
              }
            : null,
      }
    }),
  ]

  fastify.get(
    '/api/modules',
    {
      schema: {
        tags: ['core'],
        summary: 'Modules the current user may read, with their UI entry and the user’s grants',
        response: { 200: Type.Array(ModuleEntry), ...errorResponses },
      },
    },
    async (request) => {
      const grants = await request.getGrants()
      return all
        .filter((m) => grants[m.code]?.R !== undefined)
        .map((m) => ({ ...m, grants: grants[m.code] ?? {} }))
    },
  )
}
