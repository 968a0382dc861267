import Fastify, { type FastifyInstance } from 'fastify'
import { app, type AppOptions } from './app.ts'

/** A Fastify instance with the application registered, configured as in production (server.ts) and in tests. */
export async function createServer(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options
  const pretty = config.NODE_ENV === 'development' && process.stdout.isTTY
  const fastify = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } } : {}),
    },
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    ajv: {
      // Unknown fields are errors, not silently dropped.
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true },
    },
    routerOptions: { ignoreTrailingSlash: true },
  })
  await fastify.register(app, options)
  return fastify
}
