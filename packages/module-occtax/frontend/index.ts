import './occtax.css'
import { defineModuleUi } from '@biodiv/sdk'
import CountingRedirectPage from './pages/CountingRedirectPage.vue'
import OcctaxHomePage from './pages/OcctaxHomePage.vue'
import ReleveFormPage from './pages/ReleveFormPage.vue'
import ReleveViewPage from './pages/ReleveViewPage.vue'

export default defineModuleUi({
  routes: [
    { path: '', name: 'occtax-home', component: OcctaxHomePage },
    { path: 'releves/new', name: 'occtax-releve-new', component: ReleveFormPage },
    { path: 'releves/:id(\\d+)', name: 'occtax-releve', component: ReleveViewPage },
    { path: 'releves/:id(\\d+)/edit', name: 'occtax-releve-edit', component: ReleveFormPage },
    // The Synthese links each row to its counting.
    { path: 'countings/:id(\\d+)', name: 'occtax-counting', component: CountingRedirectPage },
  ],
})
