import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

type AddFormats = (ajv: Ajv) => Ajv
// ajv-formats is CommonJS: depending on the loader its function arrives as the default export or under `.default`.
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats)

const baseOptions: Options = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
}

export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ ...baseOptions, ...options })
  addFormats(ajv)
  return ajv
}

/**
 * Query strings, path parameters and headers arrive as text and are coerced to their schema's types;
 * JSON bodies are not: `{ "name": 42 }` is a wrong type, not the string "42".
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const coercing = createAjv({ coerceTypes: 'array' })
  const strict = createAjv({ coerceTypes: false })
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>
  }
}
