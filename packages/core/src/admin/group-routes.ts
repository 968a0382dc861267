import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { notFound } from '../http/app-error.ts'
import { errorResponses } from '../http/error-schema.ts'
import {
  adminPermission,
  adminTags,
  GroupCreate,
  GroupSchema,
  GroupUpdate,
  IdParams,
} from './admin-schemas.ts'

const tags = adminTags
const groupSelect = {
  id: true,
  name: true,
  description: true,
  members: { select: { userId: true } },
} as const

const toGroup = ({
  members,
  ...group
}: {
  members: { userId: number }[]
  id: number
  name: string
  description: string | null
}) => ({
  ...group,
  memberIds: members.map((m) => m.userId),
})

export const groupRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { prisma } = fastify.db

  fastify.get(
    '/groups',
    {
      config: adminPermission('R'),
      schema: { tags, summary: 'List groups', response: { 200: Type.Array(GroupSchema), ...errorResponses } },
    },
    async () => (await prisma.group.findMany({ select: groupSelect, orderBy: { name: 'asc' } })).map(toGroup),
  )

  fastify.get(
    '/groups/:id',
    {
      config: adminPermission('R'),
      schema: {
        tags,
        summary: 'One group',
        params: IdParams,
        response: { 200: GroupSchema, ...errorResponses },
      },
    },
    async (request) => {
      const group = await prisma.group.findUnique({ where: { id: request.params.id }, select: groupSelect })
      if (!group) throw notFound('GROUP_NOT_FOUND', `Group ${request.params.id} does not exist`)
      return toGroup(group)
    },
  )

  fastify.post(
    '/groups',
    {
      config: adminPermission('C'),
      schema: {
        tags,
        summary: 'Create a group',
        body: GroupCreate,
        response: { 201: GroupSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { memberIds, ...fields } = request.body
      const group = await prisma.group.create({
        data: {
          ...fields,
          members: memberIds ? { create: memberIds.map((userId) => ({ userId })) } : undefined,
        },
        select: groupSelect,
      })
      return reply.status(201).send(toGroup(group))
    },
  )

  fastify.put(
    '/groups/:id',
    {
      config: adminPermission('U'),
      schema: {
        tags,
        summary: 'Update a group (memberIds replaces the members)',
        params: IdParams,
        body: GroupUpdate,
        response: { 200: GroupSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { memberIds, ...fields } = request.body
      const group = await prisma.$transaction(async (tx) => {
        if (memberIds) await tx.userGroup.deleteMany({ where: { groupId: request.params.id } })
        return tx.group.update({
          where: { id: request.params.id },
          data: {
            ...fields,
            ...(memberIds ? { members: { create: memberIds.map((userId) => ({ userId })) } } : {}),
          },
          select: groupSelect,
        })
      })
      return toGroup(group)
    },
  )

  fastify.delete(
    '/groups/:id',
    {
      config: adminPermission('D'),
      schema: {
        tags,
        summary: 'Delete a group and its permissions',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await prisma.group.delete({ where: { id: request.params.id } })
      return reply.status(204).send(null)
    },
  )
}
