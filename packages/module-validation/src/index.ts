import { defineModule } from '@biodiv/core'
import { manifest } from './manifest.ts'
import { validationRoutes } from './validation-routes.ts'

export type { ValidationSearch, Validator } from './validation-queries.ts'
export { changeValidationStatus, STATUS_NOTIFICATION_KIND, type StatusChange } from './validation-service.ts'

export default defineModule({
  manifest,
  migrations: new URL('../migrations', import.meta.url),
  routes: validationRoutes,
})
