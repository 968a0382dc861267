import { errorResponses } from '@biodiv/core'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { callerOf } from './caller.ts'
import { IdParams, MappingInput, MappingSchema } from './import-schemas.ts'
import {
  createMapping,
  deleteMapping,
  getMapping,
  listMappings,
  updateMapping,
} from './mappings-repository.ts'

const tags = ['import']

/**
 * Saved import mappings: the built-in presets and public mappings for every reader, private ones within the
 * scope (1 mine, 2 my organism's, 3 all). Only the owner, or a scope of 3, updates or deletes; presets never.
 */
export const mappingRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db

  fastify.get(
    '/mappings',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary: 'Presets, public mappings and mine',
        response: { 200: Type.Array(MappingSchema), ...errorResponses },
      },
    },
    async (request) => listMappings(pool, callerOf(request)),
  )

  fastify.get(
    '/mappings/:id',
    {
      config: { permission: 'R' },
      schema: {
        tags,
        summary: 'One mapping',
        params: IdParams,
        response: { 200: MappingSchema, ...errorResponses },
      },
    },
    async (request) => getMapping(pool, callerOf(request), request.params.id),
  )

  fastify.post(
    '/mappings',
    {
      config: { permission: 'C' },
      schema: {
        tags,
        summary: 'Save a named mapping (private unless isPublic)',
        body: MappingInput,
        response: { 201: MappingSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      const id = await createMapping(pool, caller, request.body)
      return reply.status(201).send(await getMapping(pool, caller, id))
    },
  )

  fastify.put(
    '/mappings/:id',
    {
      config: { permission: 'U' },
      schema: {
        tags,
        summary: 'Rename or change a mapping (owner, or scope 3; presets are read-only)',
        params: IdParams,
        body: MappingInput,
        response: { 200: MappingSchema, ...errorResponses },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      await updateMapping(pool, caller, request.params.id, request.body)
      return getMapping(pool, caller, request.params.id)
    },
  )

  fastify.delete(
    '/mappings/:id',
    {
      config: { permission: 'D' },
      schema: {
        tags,
        summary: 'Delete a mapping (owner, or scope 3; presets are read-only)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteMapping(pool, callerOf(request), request.params.id)
      return reply.status(204).send(null)
    },
  )
}
