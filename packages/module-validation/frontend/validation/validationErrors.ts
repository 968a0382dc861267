/** A refused status change in French, from the API error (`{ code, message, details }`). No SDK import: unit-tested. */
export function statusChangeErrorText(error: {
  status: number
  code: string
  message: string
  details?: unknown
}) {
  const count =
    typeof error.details === 'object' && error.details !== null && 'count' in error.details
      ? Number((error.details as { count: unknown }).count)
      : null
  const some = count === null ? 'Des observations' : count > 1 ? `${count} observations` : '1 observation'
  const is = count === null || count > 1 ? 'sont' : 'est'
  switch (error.code) {
    case 'OUTSIDE_VALIDATION_SCOPE':
      return `${some} ${is} hors de votre périmètre de validation (portée, taxon ou zone) : rien n’a été modifié.`
    case 'DATASET_NOT_VALIDABLE':
      return `${some} ${is} dans des jeux de données fermés à la validation : rien n’a été modifié.`
    case 'OBSERVATION_NOT_FOUND':
      return `${some} n’existe${count === null || count > 1 ? 'nt' : ''} plus : rien n’a été modifié.`
    case 'UNKNOWN_STATUS':
      return 'Ce statut de validation n’existe pas : rien n’a été modifié.'
    case 'PERMISSION_DENIED':
      return 'Vous n’avez pas le droit de valider des observations.'
    case 'VALIDATION_CONFLICT':
      return 'Des observations ont changé pendant la validation : rien n’a été modifié, recommencez.'
    case 'NETWORK_ERROR':
      return 'Le serveur ne répond pas : rien n’a été modifié.'
    default:
      return `Le changement a été refusé (${error.status || 'réseau'}) : ${error.message}`
  }
}

/** A refused sensitivity change in French (PUT /api/validation/observations/:uuid/sensitivity). */
export function sensitivityChangeErrorText(error: {
  status: number
  code: string
  message: string
  details?: unknown
}) {
  switch (error.code) {
    case 'NOT_VALIDATOR':
      return 'Cette observation est hors de votre périmètre de validation : sa sensibilité n’a pas été modifiée.'
    case 'PERMISSION_DENIED':
      return 'Vous n’avez pas le droit de valider des observations : sa sensibilité n’a pas été modifiée.'
    case 'COMMENT_REQUIRED':
      return 'Dites pourquoi la sensibilité change : le commentaire est obligatoire.'
    case 'INVALID_SENSITIVITY':
      return 'Ce niveau de sensibilité n’existe pas (0 à 4, ou selon les règles).'
    case 'OBSERVATION_NOT_FOUND':
      return 'Cette observation n’existe plus.'
    case 'NETWORK_ERROR':
      return 'Le serveur ne répond pas : la sensibilité n’a pas été modifiée.'
    default:
      return `Le changement a été refusé (${error.status || 'réseau'}) : ${error.message}`
  }
}
