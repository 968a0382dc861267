import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** OpenAPI 3 document at /api/openapi.json and Swagger UI at /api/docs, built from the routes' TypeBox schemas. */
export const openapiPlugin = fp(
  async (fastify: FastifyInstance, opts: { version: string }) => {
    await fastify.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Biodiv API',
          description: 'Biodiversity observation platform: core and installed modules',
          version: opts.version,
        },
        components: {
          securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'biodiv_session' } },
        },
        security: [{ session: [] }],
      },
      hideUntagged: false,
    })
    // Swagger UI's own routes and the document are readable without a session.
    fastify.addHook('onRoute', (route) => {
      if (route.url.startsWith('/api/docs')) route.config = { ...route.config, public: true }
    })
    await fastify.register(swaggerUi, { routePrefix: '/api/docs' })
    fastify.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
      fastify.swagger(),
    )
  },
  { name: 'openapi' },
)
