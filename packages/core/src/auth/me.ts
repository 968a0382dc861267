import { Type } from 'typebox'
import type { Grants } from './grants.ts'
import type { SessionUser } from './sessions.ts'

export const MeSchema = Type.Object(
  {
    id: Type.Integer(),
    login: Type.String(),
    firstName: Type.Union([Type.String(), Type.Null()]),
    lastName: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    organism: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
    isAdmin: Type.Boolean({ description: 'Holds at least one permission in module ADMIN' }),
  },
  { title: 'Me' },
)

export function toMe(user: SessionUser, grants: Grants) {
  return {
    id: user.id,
    login: user.login,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    organism:
      user.organismId !== null && user.organismName !== null
        ? { id: user.organismId, name: user.organismName }
        : null,
    isAdmin: Object.keys(grants.ADMIN ?? {}).length > 0,
  }
}
