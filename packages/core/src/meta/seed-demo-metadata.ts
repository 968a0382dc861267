import type pg from 'pg'

const ECRINS_BBOX = JSON.stringify({
  type: 'Polygon',
  coordinates: [
    [
      [5.95, 44.6],
      [6.6, 44.6],
      [6.6, 45.1],
      [5.95, 45.1],
      [5.95, 44.6],
    ],
  ],
})

const nom = (type: string, code: string) =>
  `(SELECT n.id FROM ref_nomenclatures.nomenclatures n JOIN ref_nomenclatures.types t ON t.id = n.type_id
     WHERE t.mnemonique = '${type}' AND n.cd_nomenclature = '${code}')`

/**
 * Demo metadata, inside the demo seed's transaction: the Parc national des Écrins' fauna framework with two
 * datasets (its organism as actor, so scope-2 agents see them) and the partner LPO's framework and dataset
 * (the demo observer as actor, so the scope-1 observer sees it).
 */
export async function seedDemoMetadata(client: pg.PoolClient): Promise<void> {
  const framework = async (
    name: string,
    description: string,
    level: string,
    financing: string,
    actors: [string, 'organism' | 'user', string][],
  ) => {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO gn_meta.acquisition_frameworks
         (name, description, start_date, territorial_level_id, financing_type_id, digitiser_id)
       VALUES ($1, $2, '2020-01-01', ${nom('NIVEAU_TERRITORIAL', level)}, ${nom('TYPE_FINANCEMENT', financing)},
               (SELECT id FROM core.users WHERE login = 'admin'))
       RETURNING id`,
      [name, description],
    )
    await addActors('acquisition_framework_actors', 'framework_id', rows[0]!.id, actors)
    return rows[0]!.id
  }
  const dataset = async (
    frameworkId: number,
    d: {
      name: string
      shortName: string
      description: string
      objective: string
      method: string
      bbox: boolean
    },
    actors: [string, 'organism' | 'user', string][],
  ) => {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO gn_meta.datasets
         (framework_id, name, short_name, description, data_type_id, objective_id, collecting_method_id,
          data_origin_id, source_status_id, resource_type_id, bbox, digitiser_id)
       VALUES ($1, $2, $3, $4, ${nom('DATA_TYP', '1')}, ${nom('JDD_OBJECTIFS', d.objective)},
               ${nom('METHO_RECUEIL', d.method)}, ${nom('DS_PUBLIQUE', 'Pu')}, ${nom('STATUT_SOURCE', 'Te')},
               ${nom('RESOURCE_TYP', '1')}, ST_SetSRID(ST_GeomFromGeoJSON($5), 4326),
               (SELECT id FROM core.users WHERE login = 'admin'))
       RETURNING id`,
      [frameworkId, d.name, d.shortName, d.description, d.bbox ? ECRINS_BBOX : null],
    )
    await addActors('dataset_actors', 'dataset_id', rows[0]!.id, actors)
  }
  const addActors = async (
    table: string,
    key: string,
    id: number,
    actors: [string, 'organism' | 'user', string][],
  ) => {
    for (const [role, kind, name] of actors) {
      await client.query(
        `INSERT INTO gn_meta.${table} (${key}, organism_id, user_id, role_id)
         VALUES ($1, ${kind === 'organism' ? '(SELECT id FROM core.organisms WHERE name = $2)' : 'NULL'},
                 ${kind === 'user' ? '(SELECT id FROM core.users WHERE login = $2)' : 'NULL'},
                 ${nom('ROLE_ACTEUR', role)})`,
        [id, name],
      )
    }
  }

  const pne = 'Parc national des Écrins'
  const lpo = 'LPO Auvergne-Rhône-Alpes'
  const faune = await framework(
    'Inventaires faune du Parc national des Écrins',
    'Inventaires et observations de la faune vertébrée et invertébrée menés par les agents du Parc national des Écrins sur le cœur et l’aire d’adhésion.',
    '7',
    '1',
    [
      ['1', 'organism', pne],
      ['3', 'organism', pne],
    ],
  )
  await dataset(
    faune,
    {
      name: 'Observations opportunistes faune',
      shortName: 'Faune opportuniste PNE',
      description: 'Observations de faune notées au fil des tournées des agents, hors protocole.',
      objective: '1.1',
      method: '1',
      bbox: true,
    },
    [
      ['1', 'organism', pne],
      ['6', 'organism', pne],
    ],
  )
  await dataset(
    faune,
    {
      name: 'Amphibiens des lacs d’altitude',
      shortName: 'Amphibiens lacs PNE',
      description:
        'Inventaire de répartition de la Grenouille rousse et des autres amphibiens des lacs d’altitude.',
      objective: '1.2',
      method: '1',
      bbox: true,
    },
    [
      ['6', 'organism', pne],
      ['1', 'user', 'agent'],
    ],
  )
  const lpoFramework = await framework(
    'Observations naturalistes de la LPO Auvergne-Rhône-Alpes',
    'Données naturalistes collectées par les bénévoles et salariés de la LPO sur les Alpes du Sud.',
    '5',
    '3',
    [['1', 'organism', lpo]],
  )
  await dataset(
    lpoFramework,
    {
      name: 'Oiseaux observés en Hautes-Alpes',
      shortName: 'Oiseaux LPO 05',
      description: 'Observations d’oiseaux saisies par le réseau de la LPO dans les Hautes-Alpes.',
      objective: '1.1',
      method: '1',
      bbox: false,
    },
    [
      ['6', 'organism', lpo],
      ['1', 'user', 'observer'],
    ],
  )
}
