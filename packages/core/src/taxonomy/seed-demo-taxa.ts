import type pg from 'pg'
import { loadTaxref, type TaxrefImportReport } from './taxref-import.ts'

/** A small real TAXREF extract (8 species with their classification; no parent rows, no synonyms). */
export const DEMO_TAXREF_FILE = new URL('./demo/taxref-demo.txt', import.meta.url)

/** Loads the demo TAXREF extract through the importer, inside the caller's transaction. */
export async function seedDemoTaxa(client: pg.ClientBase): Promise<TaxrefImportReport> {
  return loadTaxref(client, DEMO_TAXREF_FILE.pathname)
}
