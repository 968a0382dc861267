import { Type } from 'typebox'
import { ACTIONS } from '../modules/contract.ts'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])
const Text = (maxLength = 500) => Type.String({ maxLength })

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

export const OrganismSchema = Type.Object(
  {
    id: Type.Integer(),
    uuid: Type.String({ format: 'uuid' }),
    name: Type.String(),
    address: Nullable(Type.String()),
    postalCode: Nullable(Type.String()),
    city: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    email: Nullable(Type.String()),
    url: Nullable(Type.String()),
  },
  { title: 'Organism' },
)

const organismFields = {
  address: Type.Optional(Nullable(Text())),
  postalCode: Type.Optional(Nullable(Text(20))),
  city: Type.Optional(Nullable(Text(200))),
  phone: Type.Optional(Nullable(Text(50))),
  email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 320 }))),
  url: Type.Optional(Nullable(Type.String({ format: 'uri', maxLength: 2000 }))),
}
export const OrganismCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 300 }), ...organismFields },
  { additionalProperties: false },
)
export const OrganismUpdate = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })), ...organismFields },
  { additionalProperties: false, minProperties: 1 },
)

export const UserSchema = Type.Object(
  {
    id: Type.Integer(),
    uuid: Type.String({ format: 'uuid' }),
    login: Type.String(),
    firstName: Nullable(Type.String()),
    lastName: Nullable(Type.String()),
    email: Nullable(Type.String()),
    organismId: Nullable(Type.Integer()),
    active: Type.Boolean(),
    groupIds: Type.Array(Type.Integer()),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { title: 'User' },
)

const userFields = {
  password: Type.Optional(Type.String({ minLength: 8, maxLength: 1000 })),
  firstName: Type.Optional(Nullable(Text(200))),
  lastName: Type.Optional(Nullable(Text(200))),
  email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 320 }))),
  organismId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  active: Type.Optional(Type.Boolean()),
  groupIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { uniqueItems: true })),
}
const Login = Type.String({
  pattern: '^[A-Za-z0-9._@-]{2,64}$',
  description: '2–64 letters, digits, . _ @ -',
})
export const UserCreate = Type.Object({ login: Login, ...userFields }, { additionalProperties: false })
export const UserUpdate = Type.Object(
  { login: Type.Optional(Login), ...userFields },
  { additionalProperties: false, minProperties: 1 },
)

export const GroupSchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    description: Nullable(Type.String()),
    memberIds: Type.Array(Type.Integer()),
  },
  { title: 'Group' },
)
const groupFields = {
  description: Type.Optional(Nullable(Text(2000))),
  memberIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { uniqueItems: true })),
}
export const GroupCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), ...groupFields },
  { additionalProperties: false },
)
export const GroupUpdate = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), ...groupFields },
  { additionalProperties: false, minProperties: 1 },
)

const ActionSchema = Type.Union(ACTIONS.map((a) => Type.Literal(a)))
const ScopeSchema = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)], {
  description: '1 = own data, 2 = organism’s data, 3 = all',
})

export const PermissionSchema = Type.Object(
  {
    id: Type.Integer(),
    userId: Nullable(Type.Integer()),
    groupId: Nullable(Type.Integer()),
    module: Type.String(),
    action: ActionSchema,
    scope: ScopeSchema,
    /** Filters: the row grants only for this taxon (cd_nom, and everything below it) and/or this area (ref_geo id). */
    taxon: Nullable(Type.Integer()),
    area: Nullable(Type.Integer()),
  },
  { title: 'Permission' },
)
export const PermissionCreate = Type.Object(
  {
    userId: Type.Optional(Type.Integer({ minimum: 1 })),
    groupId: Type.Optional(Type.Integer({ minimum: 1 })),
    module: Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,29}$' }),
    action: ActionSchema,
    scope: ScopeSchema,
    taxon: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    area: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  },
  { additionalProperties: false },
)
export const PermissionQuery = Type.Object(
  {
    userId: Type.Optional(Type.Integer({ minimum: 1 })),
    groupId: Type.Optional(Type.Integer({ minimum: 1 })),
    module: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

export const ModuleSchema = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    version: Type.String(),
    packageName: Type.String(),
    enabled: Type.Boolean(),
    actions: Type.Array(ActionSchema),
  },
  { title: 'InstalledModule' },
)

/** Route config for the admin API: every admin route is guarded by a permission of module ADMIN. */
export const adminPermission = (permission: 'C' | 'R' | 'U' | 'D') =>
  ({ module: 'ADMIN', permission }) as const
export const adminTags = ['admin']
