// The synthese's written columns, shared by the row writer (synthese-service.ts), the bulk writer and the modules
// that stage rows for it (the import's staging table).

/** The observation nomenclatures of a synthese row: API field → (column suffix, SINP type mnemonic). */
export const SYNTHESE_NOMENCLATURES = {
  geoObjectNature: ['geo_object_nature', 'NAT_OBJ_GEO'],
  grpTyp: ['grp_typ', 'TYP_GRP'],
  obsTechnique: ['obs_technique', 'METH_OBS'],
  bioStatus: ['bio_status', 'STATUT_BIO'],
  bioCondition: ['bio_condition', 'ETA_BIO'],
  naturalness: ['naturalness', 'NATURALITE'],
  existProof: ['exist_proof', 'PREUVE_EXIST'],
  validStatus: ['valid_status', 'STATUT_VALID'],
  diffusionLevel: ['diffusion_level', 'NIV_PRECIS'],
  lifeStage: ['life_stage', 'STADE_VIE'],
  sex: ['sex', 'SEXE'],
  objCount: ['obj_count', 'OBJ_DENBR'],
  typeCount: ['type_count', 'TYP_DENBR'],
  sensitivity: ['sensitivity', 'SENSIBILITE'],
  observationStatus: ['observation_status', 'STATUT_OBS'],
  blurring: ['blurring', 'DEE_FLOU'],
  sourceStatus: ['source_status', 'STATUT_SOURCE'],
  infoGeoType: ['info_geo_type', 'TYP_INF_GEO'],
  behaviour: ['behaviour', 'OCC_COMPORTEMENT'],
  biogeoStatus: ['biogeo_status', 'STAT_BIOGEO'],
  determinationMethod: ['determination_method', 'METH_DETERMIN'],
} as const satisfies Record<string, readonly [string, string]>

export type SyntheseNomenclatureField = keyof typeof SYNTHESE_NOMENCLATURES

/**
 * The columns a staging relation hands to the bulk writer (`upsertSyntheseFromStaging`), named and typed as in
 * gn_synthese.synthese: `the_geom_4326` any geometry in 4326, nomenclatures as ref_nomenclatures ids (defaults
 * already applied). The row writer takes the same values but the geometry and nomenclatures, plus the digitiser.
 */
export const SYNTHESE_STAGING_COLUMNS: readonly (readonly [column: string, type: string])[] = [
  ['unique_id_sinp', 'uuid'],
  ['unique_id_sinp_grp', 'uuid'],
  ['entity_source_pk_value', 'text'],
  ['id_dataset', 'integer'],
  ['cd_nom', 'integer'],
  ['nom_cite', 'text'],
  ['count_min', 'integer'],
  ['count_max', 'integer'],
  ['date_min', 'timestamptz'],
  ['date_max', 'timestamptz'],
  ['observers', 'text'],
  ['determiner', 'text'],
  ['the_geom_4326', 'geometry(Geometry,4326)'],
  ['precision', 'integer'],
  ['altitude_min', 'integer'],
  ['altitude_max', 'integer'],
  ['depth_min', 'integer'],
  ['depth_max', 'integer'],
  ['place_name', 'text'],
  ['comment_context', 'text'],
  ['comment_description', 'text'],
  ['validator', 'text'],
  ['validation_date', 'timestamptz'],
  ['validation_comment', 'text'],
  ['additional_data', 'jsonb'],
  ...Object.values(SYNTHESE_NOMENCLATURES).map(
    ([suffix]) => [`id_nomenclature_${suffix}`, 'integer'] as const,
  ),
]
