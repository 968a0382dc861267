import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { withTransaction } from '../db/transaction.ts'
import { badRequest, notFound } from '../http/app-error.ts'
import { errorResponses } from '../http/error-schema.ts'
import {
  NotificationIdParams,
  NotificationPage,
  NotificationPreference,
  NotificationQuery,
  PreferencesUpdate,
  UnreadCount,
} from './notification-schemas.ts'
import {
  listNotifications,
  listPreferences,
  markAllRead,
  markRead,
  savePreferences,
  unreadCount,
} from './notification-service.ts'

const tags = ['notifications']

/** The caller's own notifications and preferences: any logged-in user, no module permission. */
export const notificationRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const { pool } = fastify.db

  fastify.get(
    '/',
    {
      schema: {
        tags,
        summary: 'My notifications, unread first then newest, and how many are unread',
        querystring: NotificationQuery,
        response: { 200: NotificationPage, ...errorResponses },
      },
    },
    async (request) => listNotifications(pool, request.user!.id, request.query),
  )

  fastify.post(
    '/:id/read',
    {
      schema: {
        tags,
        summary: 'Mark one of my notifications read',
        params: NotificationIdParams,
        response: { 200: UnreadCount, ...errorResponses },
      },
    },
    async (request) => {
      if (!(await markRead(pool, request.user!.id, request.params.id))) {
        throw notFound('NOTIFICATION_NOT_FOUND', `Notification ${request.params.id} does not exist`)
      }
      return { unreadCount: await unreadCount(pool, request.user!.id) }
    },
  )

  fastify.post(
    '/read-all',
    {
      schema: {
        tags,
        summary: 'Mark all my notifications read',
        response: {
          200: Type.Object({ marked: Type.Integer(), unreadCount: Type.Integer() }),
          ...errorResponses,
        },
      },
    },
    async (request) => ({ marked: await markAllRead(pool, request.user!.id), unreadCount: 0 }),
  )

  fastify.get(
    '/preferences',
    {
      schema: {
        tags,
        summary: 'Every notification kind and whether I receive it',
        response: { 200: Type.Array(NotificationPreference), ...errorResponses },
      },
    },
    async (request) => listPreferences(pool, request.user!.id),
  )

  fastify.put(
    '/preferences',
    {
      schema: {
        tags,
        summary: 'Opt in or out of notification kinds (the kinds left out keep their setting)',
        body: PreferencesUpdate,
        response: { 200: Type.Array(NotificationPreference), ...errorResponses },
      },
    },
    async (request) =>
      withTransaction(pool, async (client) => {
        const unknown = await savePreferences(client, request.user!.id, request.body)
        if (unknown.length) {
          throw badRequest(
            'UNKNOWN_NOTIFICATION_KIND',
            `Unknown notification kind(s): ${unknown.join(', ')}`,
            {
              kinds: unknown,
            },
          )
        }
        return listPreferences(client, request.user!.id)
      }),
  )
}
