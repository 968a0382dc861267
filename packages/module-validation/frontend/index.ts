import { defineModuleUi } from '@biodiv/sdk'
import ValidationHomePage from './pages/ValidationHomePage.vue'

export default defineModuleUi({
  routes: [{ path: '', name: 'validation-home', component: ValidationHomePage }],
})
