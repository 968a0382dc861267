import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { badRequest } from '../http/app-error.ts'
import { errorResponses } from '../http/error-schema.ts'
import {
  adminPermission,
  IdParams,
  ModuleSchema,
  PermissionCreate,
  PermissionQuery,
  PermissionSchema,
  adminTags as tags,
} from './admin-schemas.ts'

type PermissionRow = {
  id: number
  userId: number | null
  groupId: number | null
  moduleCode: string
  action: string
  scope: number
  taxonCdNom: number | null
  areaId: number | null
  createdAt?: Date
}
const toPermission = ({ moduleCode, taxonCdNom, areaId, createdAt: _c, ...row }: PermissionRow) =>
  ({ ...row, module: moduleCode, taxon: taxonCdNom, area: areaId }) as never

export const permissionRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { prisma } = fastify.db

  fastify.get(
    '/modules',
    {
      config: adminPermission('R'),
      schema: {
        tags,
        summary: 'Installed modules and the actions they declare (what a permission may name)',
        response: { 200: Type.Array(ModuleSchema), ...errorResponses },
      },
    },
    async () => {
      const modules = await prisma.module.findMany({ include: { actions: true }, orderBy: { code: 'asc' } })
      const order = 'CRUVED'
      return modules.map(({ actions, installedAt: _i, updatedAt: _u, ...m }) => ({
        ...m,
        actions: actions.map((a) => a.action).sort((a, b) => order.indexOf(a) - order.indexOf(b)) as never[],
      }))
    },
  )

  fastify.get(
    '/permissions',
    {
      config: adminPermission('R'),
      schema: {
        tags,
        summary: 'List permission rows (filter by user, group or module)',
        querystring: PermissionQuery,
        response: { 200: Type.Array(PermissionSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { userId, groupId, module } = request.query
      const rows = await prisma.permission.findMany({
        where: { userId, groupId, moduleCode: module },
        orderBy: [{ moduleCode: 'asc' }, { action: 'asc' }, { id: 'asc' }],
      })
      return rows.map(toPermission)
    },
  )

  fastify.post(
    '/permissions',
    {
      config: adminPermission('C'),
      schema: {
        tags,
        summary: 'Grant an action of a module to a user or a group, with a scope',
        body: PermissionCreate,
        response: { 201: PermissionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { userId, groupId, module, action, scope, taxon = null, area = null } = request.body
      if ((userId === undefined) === (groupId === undefined)) {
        throw badRequest('ROLE_REQUIRED', 'Give exactly one of userId or groupId')
      }
      const declared = await prisma.moduleAction.findUnique({
        where: { moduleCode_action: { moduleCode: module, action } },
      })
      if (!declared) {
        throw badRequest(
          'UNKNOWN_MODULE_ACTION',
          `Module ${module} does not exist or does not declare action ${action}`,
          {
            module,
            action,
          },
        )
      }
      if (
        taxon !== null &&
        !(await prisma.taxon.findUnique({ where: { cdNom: taxon }, select: { cdNom: true } }))
      ) {
        throw badRequest('UNKNOWN_TAXON', `Taxon ${taxon} does not exist`, { taxon })
      }
      if (area !== null && !(await prisma.area.findUnique({ where: { id: area }, select: { id: true } }))) {
        throw badRequest('UNKNOWN_AREA', `Area ${area} does not exist`, { area })
      }
      const row = await prisma.permission.create({
        data: { userId, groupId, moduleCode: module, action, scope, taxonCdNom: taxon, areaId: area },
      })
      return reply.status(201).send(toPermission(row))
    },
  )

  fastify.delete(
    '/permissions/:id',
    {
      config: adminPermission('D'),
      schema: {
        tags,
        summary: 'Revoke a permission row',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await prisma.permission.delete({ where: { id: request.params.id } })
      return reply.status(204).send(null)
    },
  )
}
