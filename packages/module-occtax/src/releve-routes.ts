import {
  AppError,
  activeDatasetsInScope,
  conflict,
  errorResponses,
  type ModuleRequest,
  type ModuleRoutes,
  observationCaller,
  pageOrFeatureCollection,
  withTransaction,
} from '@biodiv/core'
import { Type } from 'typebox'
import {
  CountingInput,
  IdParams,
  ObserverOption,
  ObserverQuery,
  OccurrenceInput,
  ReleveFeatureCollection,
  ReleveInput,
  RelevePage,
  ReleveQuery,
  ReleveSchema,
  WritableDataset,
} from './occtax-schemas.ts'
import { getReleve, getReleveOfCounting, listReleves, observerOptions } from './releve-queries.ts'
import type { Caller } from './releve-scope.ts'
import {
  type Client,
  deleteReleve,
  lockReleve,
  releveIdOf,
  releveToInput,
  saveReleve,
} from './releve-writer.ts'

const caller = (request: ModuleRequest): Caller => ({
  userId: request.user!.id,
  organismId: request.user!.organismId,
  scope: request.scope!,
  preciseScope: observationCaller(request, { action: 'R' }).preciseScope,
})
/**
 * The caller's scope of OCCTAX R (null without it): who cannot read a relevé gets 404, not 403. Read before a
 * transaction opens: the embedded database has a single connection.
 */
const readScope = async (request: ModuleRequest) => (await request.getGrants()).OCCTAX?.R ?? null
/** Scope of every caller for reading back what a write just did. */
// Writers read back what they may edit, precisely (an editor must see the geometry they edit).
const everything = (request: ModuleRequest): Caller => ({ ...caller(request), scope: 3, preciseScope: 3 })

/** 400s of a sub-route name fields from its own body: `occurrences[2].countings[0].countMin` → `countMin`. */
function relativeTo(prefix: string, error: unknown): unknown {
  if (!(error instanceof AppError) || !Array.isArray(error.details)) return error
  const details = (error.details as { field?: string }[]).map((d) =>
    d.field?.startsWith(prefix) ? { ...d, field: d.field.slice(prefix.length) } : d,
  )
  return new AppError(error.statusCode, error.code, error.message.replaceAll(prefix, ''), details)
}

const releveResponse = { 200: ReleveSchema, ...errorResponses }

/**
 * Occtax: relevés (where, when, who) → occurrences (taxa) → countings, each counting one synthese row.
 * Reads are scoped like the synthese (1 digitiser / observer / dataset actor, 2 + organism's datasets, 3 all);
 * writes need the action's scope on the relevé and on its (active) dataset.
 */
export const releveRoutes: ModuleRoutes = async (fastify) => {
  const { pool } = fastify.db
  const tags = ['OCCTAX']

  /** Edits one part of a relevé through the whole-relevé writer, in one transaction; returns the relevé. */
  const editReleve = async (
    request: ModuleRequest,
    releveId: (client: Client) => Promise<number>,
    edit: (body: ReleveInput) => string,
  ) => {
    const read = await readScope(request)
    return withTransaction(pool, async (client) => {
      const id = await releveId(client)
      const locked = await lockReleve(client, caller(request), read, id)
      const body = releveToInput(await getReleve(client, everything(request), id))
      const prefix = edit(body)
      try {
        await saveReleve(client, caller(request), body, locked)
      } catch (error) {
        throw relativeTo(prefix, error)
      }
      return getReleve(client, everything(request), id)
    })
  }

  fastify.get(
    '/releves',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary: 'Relevés the caller may read, newest first, by pages (keyset cursor)',
        description:
          'JSON `{ items, nextCursor }`, or a GeoJSON FeatureCollection with `format=geojson` or `Accept: application/geo+json`.',
        querystring: ReleveQuery,
        response: { 200: Type.Union([RelevePage, ReleveFeatureCollection]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query
      const page = await listReleves(pool, caller(request), filters)
      return pageOrFeatureCollection(request, reply, format, page)
    },
  )

  fastify.get(
    '/releves/:id',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary: 'One relevé with its occurrences and countings',
        params: IdParams,
        response: releveResponse,
      },
    },
    async (request) => getReleve(pool, caller(request), request.params.id),
  )

  fastify.get(
    '/countings/:id',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary: 'The relevé holding a counting (the Synthese links its rows to their counting)',
        params: IdParams,
        response: releveResponse,
      },
    },
    async (request) => getReleveOfCounting(pool, caller(request), request.params.id),
  )

  fastify.post(
    '/releves',
    {
      config: { permission: 'C' },
      schema: {
        tags,
        summary: 'Create a relevé with its occurrences and countings (and their synthese rows)',
        body: ReleveInput,
        response: { 201: ReleveSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const releve = await withTransaction(pool, async (client) => {
        const id = await saveReleve(client, caller(request), request.body)
        return getReleve(client, everything(request), id)
      })
      return reply.status(201).send(releve)
    },
  )

  fastify.put(
    '/releves/:id',
    {
      config: { permission: 'U' },
      schema: {
        tags,
        summary:
          'Replace a relevé: kept occurrences/countings by id, new ones inserted, missing ones deleted',
        params: IdParams,
        body: ReleveInput,
        response: releveResponse,
      },
    },
    async (request) => {
      const { id } = request.params
      const read = await readScope(request)
      return withTransaction(pool, async (client) => {
        const locked = await lockReleve(client, caller(request), read, id)
        await saveReleve(client, caller(request), request.body, locked)
        return getReleve(client, everything(request), id)
      })
    },
  )

  fastify.delete(
    '/releves/:id',
    {
      config: { permission: 'D' },
      schema: {
        tags,
        summary: 'Delete a relevé and its synthese rows',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      const read = await readScope(request)
      await withTransaction(pool, async (client) => {
        await lockReleve(client, caller(request), read, id)
        await deleteReleve(client, id)
      })
      return reply.status(204).send(null)
    },
  )

  fastify.post(
    '/releves/:id/occurrences',
    {
      config: { permission: 'U' },
      schema: {
        tags,
        summary: 'Add one occurrence (with its countings) to a relevé',
        params: IdParams,
        body: OccurrenceInput,
        response: { 201: ReleveSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      const { id: _ignored, ...occurrence } = request.body
      const releve = await editReleve(
        request,
        async () => id,
        (body) => {
          body.occurrences.push(occurrence)
          return `occurrences[${body.occurrences.length - 1}].`
        },
      )
      return reply.status(201).send(releve)
    },
  )

  const occurrenceIndex = (body: ReleveInput, id: number) => body.occurrences.findIndex((o) => o.id === id)

  fastify.put(
    '/occurrences/:id',
    {
      config: { permission: 'U' },
      schema: {
        tags,
        summary: 'Replace one occurrence and its countings (countings kept by id)',
        params: IdParams,
        body: OccurrenceInput,
        response: releveResponse,
      },
    },
    async (request) => {
      const { id } = request.params
      return editReleve(
        request,
        (client) => releveIdOf(client, 'occurrence', id),
        (body) => {
          const i = occurrenceIndex(body, id)
          body.occurrences[i] = { ...request.body, id }
          return `occurrences[${i}].`
        },
      )
    },
  )

  fastify.delete(
    '/occurrences/:id',
    {
      config: { permission: 'D' },
      schema: {
        tags,
        summary: 'Delete one occurrence (409 for the last one)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      await editReleve(
        request,
        (client) => releveIdOf(client, 'occurrence', id),
        (body) => {
          if (body.occurrences.length === 1)
            throw conflict(
              'LAST_OCCURRENCE',
              'A relevé keeps at least one occurrence: delete the relevé instead',
            )
          body.occurrences.splice(occurrenceIndex(body, id), 1)
          return ''
        },
      )
      return reply.status(204).send(null)
    },
  )

  fastify.post(
    '/occurrences/:id/countings',
    {
      config: { permission: 'U' },
      schema: {
        tags,
        summary: 'Add one counting to an occurrence',
        params: IdParams,
        body: CountingInput,
        response: { 201: ReleveSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      const { id: _ignored, ...counting } = request.body
      const releve = await editReleve(
        request,
        (client) => releveIdOf(client, 'occurrence', id),
        (body) => {
          const i = occurrenceIndex(body, id)
          const countings = body.occurrences[i]!.countings
          countings.push(counting)
          return `occurrences[${i}].countings[${countings.length - 1}].`
        },
      )
      return reply.status(201).send(releve)
    },
  )

  const countingIndex = (body: ReleveInput, id: number) => {
    const i = body.occurrences.findIndex((o) => o.countings.some((c) => c.id === id))
    return [i, body.occurrences[i]!.countings.findIndex((c) => c.id === id)] as const
  }

  fastify.put(
    '/countings/:id',
    {
      config: { permission: 'U' },
      schema: {
        tags,
        summary: 'Replace one counting (its synthese UUID is kept)',
        params: IdParams,
        body: CountingInput,
        response: releveResponse,
      },
    },
    async (request) => {
      const { id } = request.params
      return editReleve(
        request,
        (client) => releveIdOf(client, 'counting', id),
        (body) => {
          const [i, j] = countingIndex(body, id)
          body.occurrences[i]!.countings[j] = { ...request.body, id }
          return `occurrences[${i}].countings[${j}].`
        },
      )
    },
  )

  fastify.delete(
    '/countings/:id',
    {
      config: { permission: 'D' },
      schema: {
        tags,
        summary: 'Delete one counting (409 for the last of its occurrence)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      await editReleve(
        request,
        (client) => releveIdOf(client, 'counting', id),
        (body) => {
          const [i, j] = countingIndex(body, id)
          const countings = body.occurrences[i]!.countings
          if (countings.length === 1)
            throw conflict(
              'LAST_COUNTING',
              'An occurrence keeps at least one counting: delete the occurrence instead',
            )
          countings.splice(j, 1)
          return ''
        },
      )
      return reply.status(204).send(null)
    },
  )

  fastify.get(
    '/datasets',
    {
      config: { permission: 'C' },
      schema: {
        tags,
        summary: 'Active datasets the caller may create relevés in (scope of OCCTAX C)',
        response: { 200: Type.Array(WritableDataset), ...errorResponses },
      },
    },
    async (request) => activeDatasetsInScope(pool, caller(request)),
  )

  fastify.get(
    '/observers',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary: 'Users to pick as observers, by name (20 at most)',
        querystring: ObserverQuery,
        response: { 200: Type.Array(ObserverOption), ...errorResponses },
      },
    },
    async (request) => observerOptions(pool, request.query.q),
  )
}
