import { DEMO_PASSWORD } from '@biodiv/core/testing'
import { describe, expect, it } from 'vitest'
import { login, openApp, screenshot, textOf, useRunningPlatform } from './helpers/index.ts'

const platform = useRunningPlatform()

describe('the sensitivity rules page (core ADMIN)', () => {
  it('lets admin create a rule (a server error shown on its field), filter, edit and delete it', async () => {
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    try {
      await page.goto('/')
      await page.waitForURL('**/login')
      await login(page, 'admin', DEMO_PASSWORD)
      await page
        .getByRole('navigation', { name: 'Menu principal' })
        .locator('[data-core-page="ADMIN"]')
        .click()
      await page.waitForURL('**/admin/sensitivity')
      await page.getByRole('heading', { name: 'Sensibilité' }).waitFor()
      await expect(textOf(page.locator('[data-test="rules-count"]'))).resolves.toBe('0 règle')

      await page.locator('[data-test="new-rule"]').click()
      const form = page.locator('[data-test="rule-form"]')
      await form.locator('[data-test="rule-taxon"]').fill('lynx')
      await form.getByRole('option', { name: /Lynx lynx/ }).click()
      await expect.poll(() => form.locator('[data-test="rule-level"] option').count()).toBe(5)
      await form.locator('[data-test="rule-level"]').selectOption('3')
      await form.locator('[data-test="rule-period-start"]').fill('1301')
      await form.locator('[data-test="rule-period-end"]').fill('0731')
      await form.locator('[data-test="rule-duration"]').fill('10')
      await form.getByText('Statut biologique').click()
      await form.locator('[data-criterion="STATUT_BIO:3"]').check()
      await form.locator('[data-test="rule-areas"]').fill('10kmL93E095N641')
      await form.getByRole('option', { name: /10kmL93E095N641/ }).click()
      await form.locator('[data-test="save-rule"]').click()
      // The API's INVALID_PERIOD lands on the start field.
      await expect(textOf(form.locator('[data-test="error-periodStart"]'))).resolves.toContain(
        'Jour de l’année invalide',
      )
      await form.locator('[data-test="rule-period-start"]').fill('0301')
      await screenshot(page, 'sensitivity-rule-form')
      await form.locator('[data-test="save-rule"]').click()
      await form.waitFor({ state: 'detached' })
      await expect(textOf(page.locator('[data-test="rules-flash"]'))).resolves.toMatch(
        /Règle sur Lynx lynx.* enregistrée : 0 observations changent de niveau/,
      )
      const row = page.locator('[data-test="rules-table"] tr[data-rule]')
      await expect(row.count()).resolves.toBe(1)
      const text = await textOf(row)
      for (const part of [
        'Lynx lynx',
        'Sensible - Diffusion au département',
        '1 mars → 31 juil.',
        '10 ans',
        '10kmL93E095N641',
        'Reproduction',
      ]) {
        expect(text).toContain(part)
      }

      // Filters: the level.
      await page.locator('[data-test="rules-filter-level"]').selectOption('1')
      await page.getByText('Aucune règle.').waitFor()
      await page.locator('[data-test="rules-filter-level"]').selectOption('3')
      await row.first().waitFor()

      // Edit: level 4, the whole year.
      await row.locator('[data-test="edit-rule"]').click()
      await form.locator('[data-test="rule-level"]').selectOption('4')
      await form.locator('[data-test="rule-period-start"]').fill('')
      await form.locator('[data-test="rule-period-end"]').fill('')
      await form.locator('[data-test="save-rule"]').click()
      await form.waitFor({ state: 'detached' })
      await page.locator('[data-test="rules-filter-level"]').selectOption({ label: 'Tous' })
      await expect.poll(() => textOf(row)).toContain('Sensible - Aucune diffusion')
      expect(await textOf(row)).toContain('toute l’année')
      await screenshot(page, 'sensitivity-rules')

      // Delete, confirmed.
      await row.locator('[data-test="delete-rule"]').click()
      await row.locator('[data-test="delete-rule-confirm"]').click()
      await page.getByText('Aucune règle.').waitFor()
      await expect(textOf(page.locator('[data-test="rules-flash"]'))).resolves.toContain('supprimée')
      // Only the refused save logged an error (Chromium reports the 400 it answered).
      expect(errors).toEqual([expect.stringMatching(/status of 400 .*\/api\/sensitivity\/rules\)$/)])
    } finally {
      await close()
    }
  })

  it('is neither in the menu nor reachable for a user without ADMIN', async () => {
    const { page, close } = await openApp(platform.browser, platform.server.baseUrl)
    try {
      await page.goto('/')
      await page.waitForURL('**/login')
      await login(page, 'agent', DEMO_PASSWORD)
      const menu = page.getByRole('navigation', { name: 'Menu principal' })
      await menu.locator('[data-core-page="SYNTHESE"]').waitFor()
      await expect(menu.locator('[data-core-page="ADMIN"]').count()).resolves.toBe(0)
      await page.goto('/admin/sensitivity')
      await page.getByRole('heading', { name: 'Accueil' }).waitFor()
      expect(new URL(page.url()).pathname).toBe('/')
    } finally {
      await close()
    }
  })
})
