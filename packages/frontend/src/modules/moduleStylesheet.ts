/**
 * Adds `<link rel="stylesheet">` for a module's CSS once, and waits (bounded) for it so the page does not
 * flash unstyled. A stylesheet that fails to load is logged, never fatal.
 */
export function addModuleStylesheet(href: string, timeoutMs = 3000): Promise<void> {
  const existing = document.head.querySelector(`link[data-module-style="${CSS.escape(href)}"]`)
  if (existing) return Promise.resolve()
  const link = document.createElement('link')
  link.rel = 'stylesheet'
  link.href = href
  link.dataset.moduleStyle = href
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(done, timeoutMs)
    link.addEventListener('load', done)
    link.addEventListener('error', () => {
      console.error(`[modules] stylesheet ${href} could not be loaded`)
      done()
    })
    document.head.appendChild(link)
  })
}
