import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { notFound } from '../http/app-error.ts'
import { errorResponses } from '../http/error-schema.ts'
import {
  adminPermission,
  adminTags,
  IdParams,
  OrganismCreate,
  OrganismSchema,
  OrganismUpdate,
} from './admin-schemas.ts'

const tags = adminTags

export const organismRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { prisma } = fastify.db

  fastify.get(
    '/organisms',
    {
      config: adminPermission('R'),
      schema: {
        tags,
        summary: 'List organisms',
        response: { 200: Type.Array(OrganismSchema), ...errorResponses },
      },
    },
    async () => prisma.organism.findMany({ orderBy: { name: 'asc' } }),
  )

  fastify.get(
    '/organisms/:id',
    {
      config: adminPermission('R'),
      schema: {
        tags,
        summary: 'One organism',
        params: IdParams,
        response: { 200: OrganismSchema, ...errorResponses },
      },
    },
    async (request) => {
      const organism = await prisma.organism.findUnique({ where: { id: request.params.id } })
      if (!organism) throw notFound('ORGANISM_NOT_FOUND', `Organism ${request.params.id} does not exist`)
      return organism
    },
  )

  fastify.post(
    '/organisms',
    {
      config: adminPermission('C'),
      schema: {
        tags,
        summary: 'Create an organism',
        body: OrganismCreate,
        response: { 201: OrganismSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await prisma.organism.create({ data: request.body })),
  )

  fastify.put(
    '/organisms/:id',
    {
      config: adminPermission('U'),
      schema: {
        tags,
        summary: 'Update an organism',
        params: IdParams,
        body: OrganismUpdate,
        response: { 200: OrganismSchema, ...errorResponses },
      },
    },
    async (request) => prisma.organism.update({ where: { id: request.params.id }, data: request.body }),
  )

  fastify.delete(
    '/organisms/:id',
    {
      config: adminPermission('D'),
      schema: {
        tags,
        summary: 'Delete an organism (its users are kept, without organism)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await prisma.organism.delete({ where: { id: request.params.id } })
      return reply.status(204).send(null)
    },
  )
}
