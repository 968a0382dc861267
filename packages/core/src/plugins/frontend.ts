import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Serves the built shell (packages/frontend/dist) with a history-mode fallback to index.html.
 * Hashed assets are cached for a year; index.html and the stable vendor/ files are revalidated.
 */
export const frontendPlugin = fp(
  async (fastify: FastifyInstance, opts: { dist: string }) => {
    const indexFile = join(opts.dist, 'index.html')
    if (!existsSync(indexFile)) {
      fastify.log.warn(
        `The web UI is not built (${indexFile} missing): run \`pnpm build\`. The API still works.`,
      )
    }
    if (existsSync(opts.dist)) {
      await fastify.register(fastifyStatic, {
        root: opts.dist,
        prefix: '/',
        wildcard: false,
        index: false,
        cacheControl: false,
        setHeaders: (res, path) => {
          const immutable = path.includes('/assets/')
          res.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        },
      })
    }
    const sendShell = async (_request: unknown, reply: FastifyReply) => {
      if (!existsSync(indexFile)) {
        return reply.status(503).type('text/plain').send('The web UI is not built: run `pnpm build`.')
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html')
    }
    fastify.get('/', { schema: { hide: true } }, sendShell)
    fastify.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?')[0] ?? ''
      // API, module bundles and files with an extension are never answered with the shell.
      if (path.startsWith('/api') || path.startsWith('/modules/') || /\.[a-z0-9]+$/i.test(path)) {
        return reply.callNotFound()
      }
      return sendShell(request, reply)
    })
  },
  { name: 'frontend' },
)
