import { Type } from 'typebox'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

export const NotificationSchema = Type.Object(
  {
    id: Type.Integer(),
    kind: Type.String(),
    title: Type.String(),
    body: Nullable(Type.String()),
    url: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    readAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { title: 'Notification' },
)

export const NotificationPage = Type.Object(
  { items: Type.Array(NotificationSchema), unreadCount: Type.Integer() },
  { title: 'Notifications' },
)

export const NotificationQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    unread: Type.Optional(Type.Boolean({ description: 'Only the unread ones' })),
  },
  { additionalProperties: false },
)

export const NotificationIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

export const UnreadCount = Type.Object({ unreadCount: Type.Integer() }, { title: 'UnreadCount' })

export const NotificationPreference = Type.Object(
  {
    kind: Type.String(),
    label: Type.String(),
    module: Nullable(Type.String()),
    enabled: Type.Boolean(),
  },
  { title: 'NotificationPreference' },
)

export const PreferencesUpdate = Type.Array(
  Type.Object(
    { kind: Type.String({ minLength: 1, maxLength: 64 }), enabled: Type.Boolean() },
    {
      additionalProperties: false,
    },
  ),
  { maxItems: 500 },
)
