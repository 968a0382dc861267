import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { errorResponses } from '../http/error-schema.ts'
import {
  actorOptions,
  type Caller,
  createDataset,
  createFramework,
  deleteDataset,
  deleteFramework,
  getDataset,
  getFramework,
  listDatasets,
  listFrameworks,
  updateDataset,
  updateFramework,
} from './meta-repository.ts'
import {
  ActorOptionsSchema,
  DatasetCreate,
  DatasetQuery,
  DatasetSchema,
  DatasetUpdate,
  FrameworkCreate,
  FrameworkQuery,
  FrameworkSchema,
  FrameworkUpdate,
  IdParams,
} from './meta-schemas.ts'

const tags = ['metadata']
const permission = (action: 'C' | 'R' | 'U' | 'D') => ({ module: 'METADATA', permission: action }) as const
const caller = (request: FastifyRequest): Caller => ({
  userId: request.user!.id,
  organismId: request.user!.organismId,
  scope: request.scope!,
})

/**
 * SINP metadata: acquisition frameworks, datasets, actors. Results are filtered by the caller's scope of the
 * route's METADATA action (1 own: actor or digitiser, 2 + their organism's, 3 all); something outside it is 404.
 */
export const metaRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db

  fastify.get(
    '/acquisition-frameworks',
    {
      config: permission('R'),
      schema: {
        tags,
        summary: 'Acquisition frameworks the caller may see (q searches the name)',
        querystring: FrameworkQuery,
        response: { 200: Type.Array(FrameworkSchema), ...errorResponses },
      },
    },
    async (request) => listFrameworks(pool, caller(request), request.query),
  )

  fastify.get(
    '/acquisition-frameworks/:id',
    {
      config: permission('R'),
      schema: {
        tags,
        summary: 'One acquisition framework',
        params: IdParams,
        response: { 200: FrameworkSchema, ...errorResponses },
      },
    },
    async (request) => getFramework(pool, caller(request), request.params.id),
  )

  fastify.post(
    '/acquisition-frameworks',
    {
      config: permission('C'),
      schema: {
        tags,
        summary: 'Create an acquisition framework with its actors (nomenclatures as SINP codes)',
        body: FrameworkCreate,
        response: { 201: FrameworkSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createFramework(pool, caller(request), request.body)),
  )

  fastify.put(
    '/acquisition-frameworks/:id',
    {
      config: permission('U'),
      schema: {
        tags,
        summary: 'Update an acquisition framework (actors replaces them; closing deactivates its datasets)',
        params: IdParams,
        body: FrameworkUpdate,
        response: { 200: FrameworkSchema, ...errorResponses },
      },
    },
    async (request) => updateFramework(pool, caller(request), request.params.id, request.body),
  )

  fastify.delete(
    '/acquisition-frameworks/:id',
    {
      config: permission('D'),
      schema: {
        tags,
        summary: 'Delete an acquisition framework without datasets',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteFramework(pool, caller(request), request.params.id)
      return reply.status(204).send(null)
    },
  )

  fastify.get(
    '/datasets',
    {
      config: permission('R'),
      schema: {
        tags,
        summary: 'Datasets the caller may see (q searches name and short name; framework, active filter)',
        querystring: DatasetQuery,
        response: { 200: Type.Array(DatasetSchema), ...errorResponses },
      },
    },
    async (request) => listDatasets(pool, caller(request), request.query),
  )

  fastify.get(
    '/datasets/:id',
    {
      config: permission('R'),
      schema: {
        tags,
        summary: 'One dataset',
        params: IdParams,
        response: { 200: DatasetSchema, ...errorResponses },
      },
    },
    async (request) => getDataset(pool, caller(request), request.params.id),
  )

  fastify.post(
    '/datasets',
    {
      config: permission('C'),
      schema: {
        tags,
        summary: 'Create a dataset with its actors (missing nomenclatures get the metadata defaults)',
        body: DatasetCreate,
        response: { 201: DatasetSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createDataset(pool, caller(request), request.body)),
  )

  fastify.put(
    '/datasets/:id',
    {
      config: permission('U'),
      schema: {
        tags,
        summary: 'Update a dataset (actors replaces them)',
        params: IdParams,
        body: DatasetUpdate,
        response: { 200: DatasetSchema, ...errorResponses },
      },
    },
    async (request) => updateDataset(pool, caller(request), request.params.id, request.body),
  )

  fastify.delete(
    '/datasets/:id',
    {
      config: permission('D'),
      schema: {
        tags,
        summary: 'Delete a dataset (409 DATASET_HAS_OBSERVATIONS while records reference it)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteDataset(pool, caller(request), request.params.id)
      return reply.status(204).send(null)
    },
  )

  fastify.get(
    '/actors-options',
    {
      config: permission('R'),
      schema: {
        tags,
        summary: 'Organisms and people to choose actors from (people within the caller’s scope)',
        response: { 200: ActorOptionsSchema, ...errorResponses },
      },
    },
    async (request) => actorOptions(pool, caller(request)),
  )
}
