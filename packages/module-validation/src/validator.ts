import { type ModuleRequest, observationCaller } from '@biodiv/core'
import type { Validator } from './validation-queries.ts'

/** The caller as a validator: their rows of VALIDATION V (scope and taxon/area filters), precise or not. */
export const validatorOf = (request: ModuleRequest): Validator => ({
  userId: request.user!.id,
  organismId: request.user!.organismId,
  permissions: request.getPermissionFilters('V'),
  preciseScope: observationCaller(request, { action: 'V' }).preciseScope,
})
