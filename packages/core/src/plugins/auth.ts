import cookie from '@fastify/cookie'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Grants, PermissionRows } from '../auth/grants.ts'
import { hitRateLimit } from '../auth/rate-limit.ts'
import { findSession, SESSION_COOKIE, type SessionUser } from '../auth/sessions.ts'
import { AppError, unauthorized } from '../http/app-error.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in user, or null on public routes called anonymously. */
    user: SessionUser | null
    /** The user's grants in every module, read with the session. */
    getGrants(): Promise<Grants>
    _grants: Promise<Grants> | null
    /** Every permission row of the user, with its filters, read with the session (see plugins/permissions.ts). */
    _permissionRows: PermissionRows | null
  }
  interface FastifyContextConfig {
    /** No session needed (health, login, OpenAPI). */
    public?: boolean
    /**
     * Also served to anonymous callers when the public read level is on (PUBLIC_READ, or a dataset marked
     * public_read): the handler then reads as the anonymous observation caller (public datasets, always blurred),
     * rate-limited per client IP.
     */
    publicRead?: boolean
  }
}

/** Whether anonymous callers may read anything: PUBLIC_READ, or at least one dataset open to the public. */
async function publicReadOpen(fastify: FastifyInstance): Promise<boolean> {
  if (fastify.config.PUBLIC_READ) return true
  const { rows } = await fastify.db.pool.query<{ open: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM gn_meta.datasets WHERE public_read) AS open',
  )
  return rows[0]?.open === true
}

/** Reads the session cookie of `/api` requests; anything but public routes needs a logged-in user. */
export const authPlugin = fp(
  async (fastify: FastifyInstance) => {
    await fastify.register(cookie, { secret: fastify.config.SESSION_SECRET })
    fastify.decorateRequest('user', null)
    fastify.decorateRequest('_grants', null)
    fastify.decorateRequest('_permissionRows', null)
    fastify.decorateRequest('getGrants', function (this: FastifyRequest) {
      return this._grants ?? Promise.resolve({})
    })

    fastify.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/api') || request.routeOptions.config?.public) return
      const raw = request.cookies[SESSION_COOKIE]
      if (raw) {
        const unsigned = request.unsignCookie(raw)
        if (unsigned.valid && unsigned.value) {
          const session = await findSession(fastify.db.pool, unsigned.value, fastify.config.SESSION_TTL_HOURS)
          if (session) {
            request.user = session.user
            request._grants = Promise.resolve(session.grants)
            request._permissionRows = session.permissionRows
          }
        }
      }
      if (request.user) return
      if (request.routeOptions.config?.publicRead && (await publicReadOpen(fastify))) {
        const limit = await hitRateLimit(
          fastify.db.pool,
          `public:${request.ip}`,
          fastify.config.PUBLIC_RATE_WINDOW_SECONDS,
        )
        if (limit.hits > fastify.config.PUBLIC_RATE_LIMIT)
          throw new AppError(429, 'RATE_LIMITED', 'Too many anonymous requests: try again later', {
            retryAfterSeconds: limit.resetInSeconds,
          })
        return
      }
      throw unauthorized()
    })
  },
  { name: 'auth', dependencies: ['db'] },
)
