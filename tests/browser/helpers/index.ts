export { type AppPage, launchBrowser, login, mapState, openApp, screenshot, textOf } from './browser.ts'
export { ensureUiBuilt } from './ui-build.ts'
