import { DEMO_PASSWORD } from '@biodiv/core/testing'
import { describe, expect, it } from 'vitest'
import { login, openApp, screenshot, textOf, useRunningPlatform } from './helpers/index.ts'

const platform = useRunningPlatform()

describe('the metadata page (SINP acquisition frameworks and datasets)', () => {
  it('lets admin create a framework and a dataset with an actor, then find it by searching', async () => {
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    try {
      await page.goto('/')
      await page.waitForURL('**/login')
      await login(page, 'admin', DEMO_PASSWORD)
      const menu = page.getByRole('navigation', { name: 'Menu principal' })
      await menu.locator('[data-core-page="METADATA"]').click()
      await page.waitForURL('**/metadata')
      await page.getByRole('heading', { name: 'Métadonnées' }).waitFor()
      // The demo datasets are listed.
      await page
        .locator('[data-test="datasets-table"]')
        .getByText('Observations opportunistes faune')
        .waitFor()

      // A framework, with the partner organism as funder next to the default main contact.
      await page.locator('[data-test="tab-frameworks"]').click()
      await page.locator('[data-test="new-framework"]').click()
      const fwForm = page.locator('[data-test="framework-form"]')
      await fwForm.getByLabel('Nom').fill('Suivi des galliformes de montagne')
      await fwForm.getByLabel('Description').fill('Comptages printaniers des tétras-lyres et lagopèdes.')
      await fwForm.getByLabel('Début').fill('2025-04-01')
      await expect.poll(() => fwForm.getByLabel('Niveau territorial').inputValue()).toBe('3')
      await fwForm.getByLabel('Niveau territorial').selectOption('6')
      await fwForm.locator('[data-actor="0"]').waitFor()
      await expect(fwForm.locator('[data-actor]').count()).resolves.toBe(1)
      await fwForm.locator('[data-test="add-actor"]').click()
      const funder = fwForm.locator('[data-actor="1"]')
      await funder.locator('[data-test="actor-organism"]').selectOption({ label: 'LPO Auvergne-Rhône-Alpes' })
      await funder.locator('[data-test="actor-role"]').selectOption('2')
      await screenshot(page, 'metadata-framework-form')
      await fwForm.locator('[data-test="save-framework"]').click()
      await fwForm.waitFor({ state: 'detached' })
      const fwRow = page.locator('[data-test="frameworks-table"] tr', {
        hasText: 'Suivi des galliformes de montagne',
      })
      await expect(textOf(fwRow)).resolves.toContain('LPO Auvergne-Rhône-Alpes (Financeur)')

      // A dataset in it, with a person as actor; an unknown bbox order is refused on the field.
      await fwRow.getByRole('button', { name: 'Ajouter un jeu' }).click()
      const dsForm = page.locator('[data-test="dataset-form"]')
      await dsForm.getByLabel('Nom', { exact: true }).fill('Comptages Tétras-lyre 2025')
      await dsForm.getByLabel('Nom court').fill('Tétras 2025')
      await dsForm.getByLabel('Objectif').selectOption('5.2')
      await expect.poll(() => dsForm.getByLabel('Statut de la source').inputValue()).toBe('Te')
      await dsForm.locator('[data-test="bbox-west"]').fill('6.4')
      await dsForm.locator('[data-test="bbox-south"]').fill('44.7')
      await dsForm.locator('[data-test="bbox-east"]').fill('6.1')
      await dsForm.locator('[data-test="bbox-north"]').fill('44.9')
      await dsForm.locator('[data-test="add-actor"]').click()
      const observer = dsForm.locator('[data-actor="1"]')
      await observer.locator('[data-test="actor-user"]').selectOption({ label: 'Agent Démo' })
      await observer.locator('[data-test="actor-role"]').selectOption('6')
      await dsForm.locator('[data-test="save-dataset"]').click()
      await expect(textOf(dsForm.locator('.field-error'))).resolves.toContain(
        'L’ouest doit être inférieur à l’est',
      )
      await dsForm.locator('[data-test="bbox-west"]').fill('6.1')
      await dsForm.locator('[data-test="bbox-east"]').fill('6.4')
      // An empty short name comes back from the API as a message on its field.
      await dsForm.getByLabel('Nom court').fill('')
      await dsForm.locator('[data-test="save-dataset"]').click()
      await dsForm.locator('.field-error').first().waitFor()
      await expect(textOf(dsForm.locator('.field-error').first())).resolves.toMatch(
        /shortName|caract|characters/i,
      )
      await dsForm.getByLabel('Nom court').fill('Tétras 2025')
      await dsForm.locator('[data-test="save-dataset"]').click()
      await dsForm.waitFor({ state: 'detached' })

      // Found in the list by searching.
      await page.locator('[data-test="tab-datasets"]').click()
      await page.locator('[data-test="metadata-search"]').fill('tétras')
      const table = page.locator('[data-test="datasets-table"] tbody')
      await table.getByText('Comptages Tétras-lyre 2025').waitFor()
      await expect.poll(() => table.locator('tr').count()).toBe(1)
      const row = table.locator('tr').first()
      await expect(textOf(row)).resolves.toContain('Suivi des galliformes de montagne')
      await expect(textOf(row)).resolves.toContain('Agent Démo (Producteur du jeu de données)')
      await expect(textOf(row)).resolves.toContain('Actif')
      await screenshot(page, 'metadata')

      // Stored as SINP codes, with its actors.
      const stored = await platform.server.app.db.pool.query(
        `SELECT n.cd_nomenclature AS objective, ST_AsText(d.bbox) AS bbox,
                (SELECT count(*)::int FROM gn_meta.dataset_actors a WHERE a.dataset_id = d.id) AS actors
           FROM gn_meta.datasets d JOIN ref_nomenclatures.nomenclatures n ON n.id = d.objective_id
          WHERE d.name = 'Comptages Tétras-lyre 2025'`,
      )
      expect(stored.rows).toEqual([{ objective: '5.2', bbox: expect.stringMatching(/^POLYGON/), actors: 2 }])
      expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([])
    } finally {
      await close()
    }
  })

  it('shows the page read-only to a user without create or update grants', async () => {
    await platform.server.app.db.pool.query(
      `INSERT INTO core.users (login, password_hash, organism_id)
       SELECT 'lecteur', password_hash, organism_id FROM core.users WHERE login = 'agent'`,
    )
    await platform.server.app.db.pool.query(
      `INSERT INTO core.permissions (user_id, module_code, action, scope)
       SELECT id, 'METADATA', 'R', 2 FROM core.users WHERE login = 'lecteur'`,
    )
    const { page, close } = await openApp(platform.browser, platform.server.baseUrl)
    try {
      await page.goto('/metadata')
      await page.waitForURL('**/login**')
      await login(page, 'lecteur', DEMO_PASSWORD)
      await page.waitForURL('**/metadata')
      await page
        .locator('[data-test="datasets-table"]')
        .getByText('Observations opportunistes faune')
        .waitFor()
      await expect(page.locator('[data-test="new-dataset"]').count()).resolves.toBe(0)
      await expect(page.getByRole('button', { name: 'Modifier' }).count()).resolves.toBe(0)
      await expect(
        page.locator('[data-test="datasets-table"]').getByText('Oiseaux observés en Hautes-Alpes').count(),
      ).resolves.toBe(0)
    } finally {
      await close()
    }
  })
})
