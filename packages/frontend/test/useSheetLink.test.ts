import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { useSheetLink } from '../src/pages/synthese/useSheetLink.ts'

async function setup() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/synthese', component: {} }],
  })
  await router.push({ path: '/synthese', query: { taxon: '60612' } })
  const blocked = ref(false)
  let link: ReturnType<typeof useSheetLink> | undefined
  const wrapper = mount(
    defineComponent({
      setup() {
        link = useSheetLink({ blockEscape: () => blocked.value })
        return () => h('div')
      },
    }),
    { global: { plugins: [router] } },
  )
  if (!link) throw new Error('not mounted')
  return { router, blocked, link, wrapper }
}
const pressEscape = () => window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))

describe('useSheetLink', () => {
  it('opens the sheet as ?sheet=<id>, keeping the other query keys, and focuses the map on it', async () => {
    const { router, link, wrapper } = await setup()
    expect(link.sheetId.value).toBeNull()
    link.openSheet(7)
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ taxon: '60612', sheet: '7' })
    expect(link.sheetId.value).toBe(7)
    expect(link.mapFocus.value).toEqual({ id: 7, seq: 1 })
    link.focusPage()
    expect(link.mapFocus.value).toEqual({ seq: 2 })
    wrapper.unmount()
  })

  it('closes on Escape unless blocked, and stops listening once unmounted', async () => {
    const { router, blocked, link, wrapper } = await setup()
    link.openSheet(7)
    await flushPromises()
    blocked.value = true
    pressEscape()
    await flushPromises()
    expect(link.sheetId.value).toBe(7)
    blocked.value = false
    pressEscape()
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ taxon: '60612' })
    link.openSheet(8)
    await flushPromises()
    // A second app keeps the router installed: unmounting its last app would reset currentRoute.
    const keeper = mount(defineComponent({ render: () => h('div') }), { global: { plugins: [router] } })
    wrapper.unmount()
    pressEscape()
    await flushPromises()
    expect(router.currentRoute.value.query.sheet).toBe('8')
    keeper.unmount()
  })

  it('ignores a sheet value that is not a positive integer', async () => {
    const { router, link, wrapper } = await setup()
    await router.replace({ query: { sheet: 'abc' } })
    expect(link.sheetId.value).toBeNull()
    wrapper.unmount()
  })
})
