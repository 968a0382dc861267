import { defineModule } from '@biodiv/core'
import { manifest } from './manifest.ts'

export default defineModule({
  manifest,
  migrations: new URL('../migrations', import.meta.url),
})
