import { defineModuleUi } from '@biodiv/sdk'
import OcctaxHomePage from './pages/OcctaxHomePage.vue'

export default defineModuleUi({
  routes: [{ path: '', name: 'occtax-home', component: OcctaxHomePage }],
})
