export { type AppPage, launchBrowser, login, mapState, openApp, screenshot, textOf } from './browser.ts'
export { addTaxon, byTest } from './occtax-form.ts'
export { type RunningPlatform, useRunningPlatform } from './running-platform.ts'
export { ensureUiBuilt } from './ui-build.ts'
