import type { FastifyError, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../http/app-error.ts'

interface PrismaKnownError {
  code: string
  meta?: { target?: unknown; field_name?: unknown; modelName?: string }
}

function isPrismaKnownError(error: unknown): error is PrismaKnownError & Error {
  return (
    error instanceof Error &&
    error.name === 'PrismaClientKnownRequestError' &&
    typeof (error as { code?: unknown }).code === 'string'
  )
}

// Fastify's own client errors, renamed into the API's vocabulary.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
  FST_ERR_CTP_EMPTY_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_RATE_LIMIT: 'RATE_LIMITED',
}

function toAppError(error: FastifyError | Error): AppError | null {
  if (error instanceof AppError) return error
  const fe = error as FastifyError
  if (fe.validation) {
    const details = fe.validation.map((v) => {
      const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty
      const extra = (v.params as { additionalProperty?: string } | undefined)?.additionalProperty
      const path = `${fe.validationContext ?? 'body'}${v.instancePath}`
      const field = missing ? `${path}/${missing}` : extra ? `${path}/${extra}` : path
      return {
        field: field.replaceAll('/', '.'),
        message: extra ? 'unknown field' : (v.message ?? 'invalid'),
      }
    })
    const first = details[0]
    return new AppError(
      400,
      'VALIDATION_ERROR',
      first ? `${first.field}: ${first.message}` : 'Invalid request',
      details,
    )
  }
  if (isPrismaKnownError(error)) {
    if (error.code === 'P2002') {
      return new AppError(409, 'ALREADY_EXISTS', 'A record with the same unique value already exists', {
        target: error.meta?.target,
      })
    }
    if (error.code === 'P2025') return new AppError(404, 'NOT_FOUND', 'Record not found')
    if (error.code === 'P2003') {
      return new AppError(
        409,
        'REFERENCE_CONFLICT',
        'The record references, or is referenced by, another record',
        {
          field: error.meta?.field_name,
        },
      )
    }
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    if ((fe.statusCode ?? 400) === 400)
      return new AppError(400, 'INVALID_JSON', 'The request body is not valid JSON')
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError(fe.statusCode, FASTIFY_CODES[fe.code] ?? 'BAD_REQUEST', fe.message)
  }
  return null
}

/** One error handler for the whole API: `{ error: { code, message, details? } }`, and 5xx bodies hide internals. */
export const errorsPlugin = fp(
  async (fastify: FastifyInstance) => {
    fastify.setErrorHandler((error: FastifyError, request, reply) => {
      const appError = toAppError(error)
      if (appError) {
        if (appError.statusCode === 429 && !reply.getHeader('retry-after')) reply.header('retry-after', '60')
        const body: { code: string; message: string; details?: unknown } = {
          code: appError.code,
          message: appError.message,
        }
        if (appError.details !== undefined) body.details = appError.details
        return reply.status(appError.statusCode).send({ error: body })
      }
      request.log.error({ err: error }, 'unhandled error')
      const unavailable = /ECONNREFUSED|Connection terminated|connect ETIMEDOUT/.test(String(error.message))
      return reply.status(unavailable ? 503 : 500).send({
        error: unavailable
          ? { code: 'SERVICE_UNAVAILABLE', message: 'The database is unavailable, try again shortly' }
          : { code: 'INTERNAL_ERROR', message: 'Internal server error' },
      })
    })

    fastify.setNotFoundHandler((request, reply) => {
      return reply.status(404).send({
        error: {
          code: 'ROUTE_NOT_FOUND',
          message: `No route ${request.method} ${request.url.split('?')[0]}`,
        },
      })
    })
  },
  { name: 'errors' },
)
