import { ApiError } from '@biodiv/sdk'

/** The API's error codes in the UI's words; other codes show the server's message. */
const MESSAGES: Record<string, string> = {
  EMPTY_FILE: 'Le fichier est vide (aucune ligne de données).',
  HEADER_SAME_COLUMN_NAME: 'Plusieurs colonnes de l’en-tête portent le même nom',
  NO_FILE: 'Choisissez un fichier.',
  FILE_TOO_LARGE: 'Le fichier dépasse la taille autorisée.',
  INVALID_CSV: 'Le fichier n’est pas un CSV lisible.',
  INVALID_GEOJSON: 'Le fichier n’est pas un GeoJSON lisible.',
  DATASET_NOT_FOUND: 'Ce jeu de données n’existe pas.',
  DATASET_NOT_AUTHORIZED: 'Vous ne pouvez pas importer dans ce jeu de données.',
  DATASET_NOT_ACTIVE: 'Ce jeu de données n’est pas actif.',
  UNKNOWN_SRID: 'Ce système de coordonnées (EPSG) est inconnu.',
  UNKNOWN_ENCODING: 'Cet encodage est inconnu.',
  INVALID_SEPARATOR: 'Ce séparateur n’est pas utilisable.',
  UNKNOWN_SOURCE_COLUMN: 'Certaines colonnes choisies ne sont pas dans le fichier',
  MISSING_REQUIRED_FIELD: 'Des champs obligatoires ne sont pas renseignés',
  MAPPING_NAME_TAKEN: 'Un modèle porte déjà ce nom.',
  MAPPING_READ_ONLY: 'Ce modèle est prédéfini : enregistrez-le sous un autre nom.',
  NOT_MAPPING_OWNER: 'Seul son auteur peut modifier ce modèle.',
  IMPORT_BUSY: 'L’import est en cours de traitement : attendez la fin de l’étape.',
  IMPORT_FINALIZED: 'L’import est terminé : annulez-le pour le modifier.',
  PERMISSION_DENIED: 'Vos droits ne permettent pas cette action.',
  NETWORK_ERROR: 'Le serveur ne répond pas.',
  UPLOAD_ABORTED: 'Envoi annulé.',
}

/** A readable French message for an API failure, with the details' names when the API lists them. */
export function apiErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return String(error)
  const base = MESSAGES[error.code]
  if (!base) return error.message
  const details = error.details as { columns?: unknown[]; fields?: unknown[] } | undefined
  const names = (details?.columns ?? details?.fields ?? []).map((d) =>
    typeof d === 'string' ? d : ((d as { column?: string }).column ?? JSON.stringify(d)),
  )
  return names.length ? `${base} : ${names.join(', ')}` : base
}
