import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../http/app-error.ts'
import { ErrorBody, errorResponses } from '../http/error-schema.ts'
import { MeSchema, toMe } from './me.ts'
import { verifyPassword } from './passwords.ts'
import { hitRateLimit } from './rate-limit.ts'
import { createSession, deleteSession, findSession, SESSION_COOKIE } from './sessions.ts'

export const authRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db
  const { config } = fastify

  fastify.post(
    '/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Log in; sets an httpOnly session cookie',
        body: Type.Object(
          {
            login: Type.String({ minLength: 1, maxLength: 200 }),
            password: Type.String({ minLength: 1, maxLength: 1000 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ user: MeSchema }), 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const limit = await hitRateLimit(pool, `login:${request.ip}`, config.LOGIN_RATE_WINDOW_SECONDS)
      if (limit.hits > config.LOGIN_RATE_LIMIT) {
        reply.header('retry-after', String(limit.resetInSeconds))
        throw new AppError(
          429,
          'RATE_LIMITED',
          `Too many login attempts, try again in ${limit.resetInSeconds} s`,
        )
      }
      const { rows } = await pool.query<{ id: number; password_hash: string | null }>(
        'SELECT id, password_hash FROM core.users WHERE lower(login) = lower($1) AND active',
        [request.body.login],
      )
      const candidate = rows[0]
      const ok = await verifyPassword(candidate?.password_hash ?? null, request.body.password)
      if (!candidate || !ok) throw new AppError(401, 'INVALID_CREDENTIALS', 'Unknown login or wrong password')

      const token = await createSession(pool, candidate.id, config.SESSION_TTL_HOURS, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      })
      const session = await findSession(pool, token, config.SESSION_TTL_HOURS)
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: config.COOKIE_SECURE,
        signed: true,
        // No maxAge: the browser keeps it for its session; the server expires it (sliding) after SESSION_TTL_HOURS idle.
      })
      return { user: toMe(session!.user, session!.grants) }
    },
  )

  fastify.post(
    '/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the current session',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const unsigned = request.unsignCookie(request.cookies[SESSION_COOKIE] ?? '')
      if (unsigned.valid && unsigned.value) await deleteSession(pool, unsigned.value)
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.status(204).send(null)
    },
  )

  fastify.get(
    '/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The logged-in user',
        response: { 200: MeSchema, ...errorResponses },
      },
    },
    async (request) => toMe(request.user!, await request.getGrants()),
  )
}
