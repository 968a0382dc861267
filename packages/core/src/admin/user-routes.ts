import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { hashPassword } from '../auth/passwords.ts'
import { conflict, notFound } from '../http/app-error.ts'
import { errorResponses } from '../http/error-schema.ts'
import { adminPermission, adminTags, IdParams, UserCreate, UserSchema, UserUpdate } from './admin-schemas.ts'

const tags = adminTags
const userSelect = {
  id: true,
  uuid: true,
  login: true,
  firstName: true,
  lastName: true,
  email: true,
  organismId: true,
  active: true,
  createdAt: true,
  groups: { select: { groupId: true } },
} as const

const toUser = <T extends { groups: { groupId: number }[]; createdAt: Date }>({
  groups,
  createdAt,
  ...user
}: T) => ({
  ...user,
  createdAt: createdAt.toISOString(),
  groupIds: groups.map((g) => g.groupId),
})

export const userRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { prisma } = fastify.db

  fastify.get(
    '/users',
    {
      config: adminPermission('R'),
      schema: { tags, summary: 'List users', response: { 200: Type.Array(UserSchema), ...errorResponses } },
    },
    async () => (await prisma.user.findMany({ select: userSelect, orderBy: { login: 'asc' } })).map(toUser),
  )

  fastify.get(
    '/users/:id',
    {
      config: adminPermission('R'),
      schema: {
        tags,
        summary: 'One user',
        params: IdParams,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (request) => {
      const user = await prisma.user.findUnique({ where: { id: request.params.id }, select: userSelect })
      if (!user) throw notFound('USER_NOT_FOUND', `User ${request.params.id} does not exist`)
      return toUser(user)
    },
  )

  fastify.post(
    '/users',
    {
      config: adminPermission('C'),
      schema: {
        tags,
        summary: 'Create a user',
        body: UserCreate,
        response: { 201: UserSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { password, groupIds, ...fields } = request.body
      const user = await prisma.user.create({
        data: {
          ...fields,
          passwordHash: password ? await hashPassword(password) : null,
          groups: groupIds ? { create: groupIds.map((groupId) => ({ groupId })) } : undefined,
        },
        select: userSelect,
      })
      return reply.status(201).send(toUser(user))
    },
  )

  fastify.put(
    '/users/:id',
    {
      config: adminPermission('U'),
      schema: {
        tags,
        summary: 'Update a user (password resets it; groupIds replaces the memberships)',
        params: IdParams,
        body: UserUpdate,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { password, groupIds, ...fields } = request.body
      const user = await prisma.$transaction(async (tx) => {
        if (groupIds) await tx.userGroup.deleteMany({ where: { userId: request.params.id } })
        return tx.user.update({
          where: { id: request.params.id },
          data: {
            ...fields,
            ...(password ? { passwordHash: await hashPassword(password) } : {}),
            ...(groupIds ? { groups: { create: groupIds.map((groupId) => ({ groupId })) } } : {}),
          },
          select: userSelect,
        })
      })
      // Deactivating a user or changing their password ends their sessions.
      if (fields.active === false || password) {
        await prisma.session.deleteMany({ where: { userId: request.params.id } })
      }
      return toUser(user)
    },
  )

  fastify.delete(
    '/users/:id',
    {
      config: adminPermission('D'),
      schema: {
        tags,
        summary: 'Delete a user',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (request.params.id === request.user!.id)
        throw conflict('CANNOT_DELETE_SELF', 'You cannot delete yourself')
      await prisma.user.delete({ where: { id: request.params.id } })
      return reply.status(204).send(null)
    },
  )
}
