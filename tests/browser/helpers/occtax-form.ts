import type { Locator, Page } from 'playwright-core'

/** The elements with that `data-test` inside the scope. */
export const byTest = (scope: Page | Locator, name: string) => scope.locator(`[data-test="${name}"]`)

/** Types in the taxon autocomplete of a new occurrence and picks the option with that scientific name. */
export async function addTaxon(page: Page, query: string, scientificName: string): Promise<Locator> {
  const index = await byTest(page, 'occurrence').count()
  await byTest(page, 'add-occurrence').click()
  // By position, not .last(): locators are lazy and the next taxon would become "the last".
  const occurrence = byTest(page, 'occurrence').nth(index)
  await byTest(occurrence, 'taxon-input').fill(query)
  await byTest(occurrence, 'taxon-option').filter({ hasText: scientificName }).first().click()
  await occurrence.getByRole('heading', { name: scientificName }).waitFor()
  return occurrence
}
