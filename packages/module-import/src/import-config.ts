import { type Static, Type } from 'typebox'

/** The IMPORT entry of MODULES_CONFIG_FILE. */
export const importConfigSchema = Type.Object(
  {
    /** Largest file accepted by the upload (bytes); 5 GiB by default. */
    maxUploadBytes: Type.Integer({ minimum: 1024, default: 5 * 1024 ** 3 }),
  },
  { additionalProperties: false },
)
export type ImportConfig = Static<typeof importConfigSchema>
