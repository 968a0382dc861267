import { defineModuleUi } from '@biodiv/sdk'
import ValidationPage from './pages/ValidationPage.vue'

export default defineModuleUi({
  routes: [{ path: '', name: 'validation-home', component: ValidationPage }],
})
