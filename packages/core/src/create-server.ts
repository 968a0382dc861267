import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify'
import { type AppOptions, app } from './app.ts'
import { createValidatorCompiler } from './http/validators.ts'

/** A Fastify instance with the application registered, configured as in production (server.ts) and in tests. */
export async function createServer(
  options: AppOptions,
  hooks: { onRoute?: (route: RouteOptions) => void } = {},
): Promise<FastifyInstance> {
  const { config } = options
  const pretty = config.NODE_ENV === 'development' && process.stdout.isTTY
  const fastify = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } } : {}),
    },
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    routerOptions: { ignoreTrailingSlash: true },
  })
  // Unknown fields are errors, not silently dropped; bodies are not type-coerced.
  fastify.setValidatorCompiler(createValidatorCompiler())
  if (hooks.onRoute) fastify.addHook('onRoute', hooks.onRoute)
  await fastify.register(app, options)
  return fastify
}
