import { badRequest, conflict, forbidden, notFound, userNameSql } from '@biodiv/core'
import { type Caller, callerParams, type Queryable } from './caller.ts'
import { assertKnownTargetFields } from './field-mapping.ts'
import type { MappingInput, MappingView } from './import-schemas.ts'
import { TARGET_FIELDS } from './target-fields.ts'

/** Presets and public mappings for everyone; private ones for their owner (1), organism (2), anyone (3). */
const mappingVisibleSql = (m: string) =>
  `(${m}.is_builtin OR ${m}.is_public OR $3 = 3 OR ${m}.owner_id = $1 OR ($3 = 2 AND ${m}.organism_id = $2))`

const isoText = (column: string) => `(to_json(${column}) #>> '{}')`

const MAPPING_SELECT = `SELECT m.id, m.name, m.is_public AS "isPublic", m.is_builtin AS "isBuiltin",
    m.owner_id AS "ownerId",
    ${userNameSql('m.owner_id')} AS "ownerName",
    m.organism_id AS "organismId", m.field_mapping AS "fieldMapping", m.content_mapping AS "contentMapping",
    (NOT m.is_builtin AND (m.owner_id = $1 OR $3 = 3)) AS editable,
    ${isoText('m.created_at')} AS "createdAt", ${isoText('m.updated_at')} AS "updatedAt"
  FROM import.mappings m`

export type MappingRow = MappingView

export async function listMappings(db: Queryable, caller: Caller): Promise<MappingRow[]> {
  const { rows } = await db.query<MappingRow>(
    `${MAPPING_SELECT} WHERE ${mappingVisibleSql('m')} ORDER BY m.is_builtin DESC, lower(m.name), m.id`,
    callerParams(caller),
  )
  return rows
}

export async function getMapping(db: Queryable, caller: Caller, id: number): Promise<MappingRow> {
  const { rows } = await db.query<MappingRow>(
    `${MAPPING_SELECT} WHERE m.id = $4 AND ${mappingVisibleSql('m')}`,
    [...callerParams(caller), id],
  )
  if (!rows[0]) throw notFound('MAPPING_NOT_FOUND', `Mapping ${id} does not exist`)
  return rows[0]
}

const NOMENCLATURE_FIELDS = new Set(TARGET_FIELDS.filter((f) => f.type === 'nomenclature').map((f) => f.name))

function checkInput(input: MappingInput): void {
  assertKnownTargetFields(input.fieldMapping ?? {})
  const unknown = Object.keys(input.contentMapping ?? {}).filter((f) => !NOMENCLATURE_FIELDS.has(f))
  if (unknown.length > 0) {
    throw badRequest('UNKNOWN_TARGET_FIELD', `Not nomenclature fields: ${unknown.join(', ')}`, {
      fields: unknown,
    })
  }
}

const nameTaken = (error: unknown, name: string) =>
  (error as { code?: string }).code === '23505'
    ? conflict('MAPPING_NAME_TAKEN', `You already have a mapping named "${name}"`)
    : error

export async function createMapping(db: Queryable, caller: Caller, input: MappingInput): Promise<number> {
  checkInput(input)
  try {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO import.mappings (name, is_public, owner_id, organism_id, field_mapping, content_mapping)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        input.name.trim(),
        input.isPublic ?? false,
        caller.userId,
        caller.organismId,
        JSON.stringify(input.fieldMapping ?? {}),
        JSON.stringify(input.contentMapping ?? {}),
      ],
    )
    return rows[0]!.id
  } catch (error) {
    throw nameTaken(error, input.name)
  }
}

/** A mapping the caller may change: visible, not a preset, theirs unless their scope of the action is 3. */
async function editableMapping(db: Queryable, caller: Caller, id: number): Promise<MappingRow> {
  const mapping = await getMapping(db, caller, id)
  if (mapping.isBuiltin)
    throw forbidden('MAPPING_READ_ONLY', `"${mapping.name}" is a built-in preset: copy it to change it`)
  if (!mapping.editable) throw forbidden('NOT_MAPPING_OWNER', `Mapping ${id} belongs to another user`)
  return mapping
}

export async function updateMapping(
  db: Queryable,
  caller: Caller,
  id: number,
  input: MappingInput,
): Promise<void> {
  await editableMapping(db, caller, id)
  checkInput(input)
  try {
    await db.query(
      `UPDATE import.mappings SET name = $2, is_public = COALESCE($3, is_public),
         field_mapping = COALESCE($4, field_mapping), content_mapping = COALESCE($5, content_mapping),
         updated_at = now()
       WHERE id = $1`,
      [
        id,
        input.name.trim(),
        input.isPublic ?? null,
        input.fieldMapping ? JSON.stringify(input.fieldMapping) : null,
        input.contentMapping ? JSON.stringify(input.contentMapping) : null,
      ],
    )
  } catch (error) {
    throw nameTaken(error, input.name)
  }
}

export async function deleteMapping(db: Queryable, caller: Caller, id: number): Promise<void> {
  await editableMapping(db, caller, id)
  await db.query('DELETE FROM import.mappings WHERE id = $1', [id])
}
