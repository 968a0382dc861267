/** The check step's error codes (GeoNature's names, so its users recognise them) and what each one means. */
export const CHECK_ERRORS = {
  EMPTY_FILE: ['ERROR', 'Le fichier ne contient aucune ligne de données'],
  HEADER_SAME_COLUMN_NAME: ['ERROR', "Plusieurs colonnes de l'en-tête ont le même nom"],
  ROW_HAVE_TOO_MUCH_COLUMN: ['ERROR', "La ligne a plus de colonnes que l'en-tête"],
  ROW_HAVE_LESS_COLUMN: ['ERROR', "La ligne a moins de colonnes que l'en-tête"],
  MISSING_VALUE: ['ERROR', 'Valeur manquante dans un champ obligatoire'],
  INVALID_DATE: ['ERROR', 'Date ou heure illisible (AAAA-MM-JJ, JJ/MM/AAAA, HH:MM)'],
  DATE_MIN_SUP_DATE_MAX: ['ERROR', 'La date de début est postérieure à la date de fin'],
  DATE_MAX_TOO_HIGH: ['ERROR', 'La date est dans le futur'],
  INVALID_INTEGER: [
    'ERROR',
    "Ce n'est pas un nombre entier (positif pour les dénombrements et la précision)",
  ],
  COUNT_MIN_SUP_COUNT_MAX: ['ERROR', 'Le nombre minimal est supérieur au nombre maximal'],
  ALTI_MIN_SUP_ALTI_MAX: ['ERROR', "L'altitude minimale est supérieure à l'altitude maximale"],
  DEPTH_MIN_SUP_DEPTH_MAX: ['ERROR', 'La profondeur minimale est supérieure à la profondeur maximale'],
  CD_NOM_NOT_FOUND: ['ERROR', "Le cd_nom n'existe pas dans TAXREF"],
  INVALID_NOMENCLATURE: [
    'ERROR',
    'Valeur de nomenclature inconnue (ni correspondance, ni code, ni libellé SINP)',
  ],
  INVALID_UUID: ['ERROR', "Ce n'est pas un UUID"],
  DUPLICATE_UUID: ['ERROR', "L'UUID apparaît plusieurs fois dans le fichier"],
  EXISTING_UUID: ['ERROR', "L'UUID existe déjà dans la synthèse"],
  DUPLICATE_ENTITY_SOURCE_PK: ['ERROR', "L'identifiant d'origine apparaît plusieurs fois dans le fichier"],
  INVALID_WKT: ['ERROR', 'Géométrie illisible (WKT, ou GeoJSON pour un fichier GeoJSON)'],
  INVALID_GEOMETRY: ['ERROR', 'Géométrie invalide (auto-intersection, coordonnées illisibles…)'],
  GEOMETRY_OUT_OF_BOX: ['ERROR', "La géométrie sort de l'emprise du territoire"],
  MISSING_GEOM: ['ERROR', 'Aucune géométrie : ni WKT, ni X/Y, ni code de rattachement'],
  MULTIPLE_ATTACHMENT_TYPE_CODE: ['ERROR', 'Plusieurs codes de rattachement (commune, maille, département)'],
  INVALID_ATTACHMENT_CODE: ['ERROR', 'Code de commune, de maille ou de département inconnu'],
  DATASET_NOT_FOUND: ['ERROR', "Le jeu de données n'existe pas"],
  DATASET_NOT_AUTHORIZED: ['ERROR', "Vous n'avez pas le droit d'importer dans ce jeu de données"],
  DATASET_NOT_ACTIVE: ['ERROR', "Le jeu de données n'est pas actif"],
  OBSERVATION_NOT_AUTHORIZED: [
    'ERROR',
    "Taxon ou lieu hors de vos droits d'import (permission restreinte à un taxon ou une zone)",
  ],
  INVALID_URL_PROOF: ['ERROR', "La preuve numérique n'est pas une URL http(s)"],
} as const satisfies Record<string, readonly ['ERROR' | 'WARNING', string]>

export type CheckErrorCode = keyof typeof CHECK_ERRORS
export type ErrorLevel = 'ERROR' | 'WARNING'

/**
 * EXISTING_UUID is a warning when the import updates existing observations and the observation came from an import
 * (the row will update it); an observation of another module stays an error.
 */
export const levelOf = (code: CheckErrorCode, updateExisting = false): ErrorLevel =>
  code === 'EXISTING_UUID' && updateExisting ? 'WARNING' : CHECK_ERRORS[code][0]
