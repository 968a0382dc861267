import { defineModuleUi } from '@biodiv/sdk'
import ImportHomePage from './pages/ImportHomePage.vue'

export default defineModuleUi({
  routes: [{ path: '', name: 'import-home', component: ImportHomePage }],
})
