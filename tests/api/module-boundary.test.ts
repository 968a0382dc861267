// Modules reach the core through the services @biodiv/core exports, never through its tables (issue 18): this test
// reads every first-party module's SQL — the string literals of src/**/*.ts and the statements of migrations/**/*.sql
// — and fails on any name of a core-owned table outside the short, commented list of reads still to be moved.
//
// Allowed everywhere: calls of the core's SQL functions (`ref_geo.search_key(…)`, `taxonomie.taxon_subtree(…)`,
// `ref_nomenclatures.is_of_type(…)`: a name followed by `(`), and in migrations foreign keys (`REFERENCES core.users`):
// a module's rows point at core rows, which is what the core's ids are for.
// Never allowed, whatever the list says: a write (INSERT, UPDATE, DELETE, TRUNCATE, COPY, MERGE, ALTER/DROP TABLE,
// CREATE INDEX/TRIGGER … ON) to a core table. Writes go through core services (upsertSyntheseRows,
// setValidationStatus, deleteSyntheseSource, notify, the manifest's permissions and notifications…).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The schemas the core owns (its migrations create them). A module owns only the schema named after its code. */
const CORE_SCHEMAS = [
  'core',
  'gn_synthese',
  'gn_meta',
  'ref_geo',
  'ref_nomenclatures',
  'taxonomie',
  'gn_sensitivity',
]

/** The first-party modules, and the example module the README gives partners as a model. */
const MODULE_DIRS = [
  ...readdirSync(join(ROOT, 'packages'))
    .filter((d) => d.startsWith('module-'))
    .map((d) => `packages/${d}`),
  'tests/fixtures/module-hello',
]

/**
 * Reads still to be moved behind core services. Each entry: the file, the core table it names, and why it is still
 * there. Keep it short: an entry whose file no longer names the table fails the test (delete the entry), and no
 * write may ever be listed.
 */
const READS_TO_MOVE: readonly { file: string; table: string; why: string }[] = [
  // The Validation list, count and history read observations: they move to the core's observation source
  // (permissions + sensitivity blurring in one place, ADR 15), which another change is bringing.
  ...['gn_synthese.synthese', 'gn_synthese.validation_history', 'core.users'].map((table) => ({
    file: 'packages/module-validation/src/validation-queries.ts',
    table,
    why: 'the Validation list/history (observation source, blurring): being moved with the read path',
  })),
  ...['ref_nomenclatures.nomenclatures', 'ref_nomenclatures.types'].map((table) => ({
    file: 'packages/module-validation/src/validation-queries.ts',
    table,
    why: 'status codes of the list (core: validationStatus / nomenclatureValues); moved with the read path',
  })),
]

const schemaPattern = CORE_SCHEMAS.join('|')
/** `schema.name` not part of a longer name, and not followed by `(` (a function call). */
const TABLE = new RegExp(`(?<![\\w."])(${schemaPattern})\\.([a-z_][a-z0-9_]*)(?![\\w("])`, 'gi')
const target = `(?:${schemaPattern})\\.[a-z_][a-z0-9_]*(?![\\w("])`
const WRITES = [
  new RegExp(
    `\\b(?:INSERT\\s+INTO|UPDATE|DELETE\\s+FROM|TRUNCATE(?:\\s+TABLE)?|COPY|MERGE\\s+INTO|ALTER\\s+TABLE|DROP\\s+TABLE)\\s+(?:ONLY\\s+|IF\\s+EXISTS\\s+)*(${target})`,
    'gi',
  ),
  new RegExp(
    `\\bCREATE\\s+(?:UNIQUE\\s+)?(?:OR\\s+REPLACE\\s+)?(?:CONSTRAINT\\s+)?(?:INDEX|TRIGGER|RULE|POLICY)\\b[^;]*?\\sON\\s+(?:ONLY\\s+)?(${target})`,
    'gi',
  ),
]
const REFERENCE = new RegExp(`\\bREFERENCES\\s+(${target})`, 'gi')

function* files(dir: string): Generator<string> {
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch {
    return
  }
  for (const entry of entries) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) yield* files(path)
    else yield path
  }
}

/** The text of every string literal and template literal part of TypeScript source (where its SQL lives). */
function stringsOf(text: string): string[] {
  const source = ts.createSourceFile('module.ts', text, ts.ScriptTarget.Latest, true)
  const out: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push(node.text)
    else if (ts.isTemplateExpression(node)) {
      out.push(node.head.text)
      for (const span of node.templateSpans) out.push(span.literal.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return out
}

/** A migration's statements without their comments. */
const sqlOf = (text: string) => [text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ')]

interface Finding {
  file: string
  table: string
}

/** The core tables a file's SQL names (foreign keys of migrations aside), and its writes to them. */
function scanFile(file: string, text: string) {
  const sql = file.endsWith('.sql')
  const texts = file.endsWith('.ts') ? stringsOf(text) : sql ? sqlOf(text) : []
  const tables = new Set<string>()
  const writes: (Finding & { statement: string })[] = []
  for (const t of texts) {
    for (const pattern of WRITES)
      for (const m of t.matchAll(pattern))
        writes.push({ file, table: m[1]!.toLowerCase(), statement: m[0].replace(/\s+/g, ' ') })
    // Foreign keys of a migration are allowed: take them out before looking for other mentions.
    for (const m of (sql ? t.replace(REFERENCE, ' ') : t).matchAll(TABLE))
      tables.add(`${m[1]}.${m[2]}`.toLowerCase())
  }
  return { mentions: [...tables].map((table) => ({ file, table })), writes }
}

function scan() {
  const mentions: Finding[] = []
  const writes: (Finding & { statement: string })[] = []
  for (const moduleDir of MODULE_DIRS)
    for (const sub of ['src', 'migrations'])
      for (const path of files(join(ROOT, moduleDir, sub))) {
        const found = scanFile(relative(ROOT, path), readFileSync(path, 'utf8'))
        mentions.push(...found.mentions)
        writes.push(...found.writes)
      }
  return { mentions, writes }
}

describe('module boundary: modules use the core’s services, never its tables', () => {
  const { mentions, writes } = scan()
  const listed = (f: Finding) => READS_TO_MOVE.some((a) => a.file === f.file && a.table === f.table)

  it('the scanner sees SQL in strings and migrations, not in comments, calls or foreign keys', () => {
    const code = scanFile(
      'x.ts',
      `// reads gn_synthese.synthese (a comment)
       const q = \`SELECT u.id FROM core.users u JOIN \${other} o ON o.id = u.id
         WHERE taxonomie.taxon_subtree($1) IS NOT NULL\`
       const w = 'DELETE FROM gn_synthese.sources WHERE name = $1'`,
    )
    expect(code.mentions.map((m) => m.table).sort()).toEqual(['core.users', 'gn_synthese.sources'])
    expect(code.writes).toMatchObject([
      { table: 'gn_synthese.sources', statement: 'DELETE FROM gn_synthese.sources' },
    ])
    const sql = scanFile(
      'x.sql',
      `-- INSERT INTO core.notification_kinds …
       CREATE TABLE x.t (u integer REFERENCES core.users (id), n integer CHECK (ref_nomenclatures.is_of_type(n, 'SEXE')));
       UPDATE core.modules SET enabled = true;`,
    )
    expect(sql.mentions.map((m) => m.table)).toEqual(['core.modules'])
    expect(sql.writes.map((w) => w.table)).toEqual(['core.modules'])
    expect(MODULE_DIRS).toEqual(
      expect.arrayContaining([
        'packages/module-occtax',
        'packages/module-import',
        'packages/module-validation',
      ]),
    )
  })

  it('no module writes a core table', () => {
    expect(writes).toEqual([])
  })

  it('no module names a core table outside the list of reads still to be moved', () => {
    expect(mentions.filter((f) => !listed(f))).toEqual([])
  })

  it('the list of reads to move holds only what is still there (delete the entries done)', () => {
    const stale = READS_TO_MOVE.filter((a) => !mentions.some((f) => f.file === a.file && f.table === a.table))
    expect(stale).toEqual([])
  })
})
