import { defineModule } from '@biodiv/core'
import { manifest } from './manifest.ts'
import { releveRoutes } from './releve-routes.ts'

export default defineModule({
  manifest,
  migrations: new URL('../migrations', import.meta.url),
  routes: releveRoutes,
})
