import './import.css'
import { defineModuleUi } from '@biodiv/sdk'
import ImportHomePage from './pages/ImportHomePage.vue'
import ImportUploadPage from './pages/ImportUploadPage.vue'
import ImportWizardPage from './pages/ImportWizardPage.vue'

export default defineModuleUi({
  routes: [
    { path: '', name: 'import-home', component: ImportHomePage },
    { path: 'new', name: 'import-new', component: ImportUploadPage },
    { path: 'imports/:id(\\d+)', name: 'import-wizard', component: ImportWizardPage },
  ],
})
