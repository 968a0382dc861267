import { parseArgs } from 'node:util'
import { geoGridsCommand, geoImportCommand } from '../geo/geo-commands.ts'
import { sensitivityImportCommand, sensitivityRefreshCommand } from '../sensitivity/sensitivity-commands.ts'
import { taxrefImportCommand } from '../taxonomy/taxref-import-command.ts'
import { createUserCommand } from './create-user-command.ts'
import { migrateCommand, seedCommand } from './database-commands.ts'
import { openapiWriteCommand } from './openapi-command.ts'

const COMMANDS: Record<string, { run: (args: string[]) => Promise<void>; help: string }> = {
  'db:migrate': {
    run: migrateCommand,
    help: 'apply the core and module migrations, sync module permissions',
  },
  'db:seed': {
    run: seedCommand,
    help: 'migrate, then insert the demo organisms, users and permissions (once)',
  },
  'taxref:import': {
    run: taxrefImportCommand,
    help: 'import or update TAXREF from its text file (tab-separated, UTF-8): FILE [--encoding latin1]',
  },
  'user:create': {
    run: createUserCommand,
    help: 'create a user: --login LOGIN --password-stdin [--admin] [--organism NAME] [--first-name X] [--last-name Y] [--email E]',
  },
  'geo:import': {
    run: geoImportCommand,
    help: 'import areas from a GeoJSON or Shapefile: --type COM FILE [--code-field INSEE_COM] [--name-field NOM] [--srid 2154] [--encoding utf-8] [--make-valid]',
  },
  'geo:grids': {
    run: geoGridsCommand,
    help: 'generate INPN Lambert-93 grid cells (types M1/M5/M10): --size 10 --bbox xmin,ymin,xmax,ymax [--srid 4326|2154]',
  },
  'sensitivity:import': {
    run: sensitivityImportCommand,
    help: 'replace the sensitivity rules of a source from the INPN referential CSV: FILE [--source NAME] [--separator ;] [--encoding latin1] [--national-only] [--inactive-unknown-areas]',
  },
  'sensitivity:refresh': {
    run: sensitivityRefreshCommand,
    help: 'rebuild the taxa of the rules, recompute the sensitivity of the synthese: [--cd-nom 60612,351]',
  },
  'openapi:write': {
    run: openapiWriteCommand,
    help: 'write the OpenAPI document of the core and the configured modules (GET /api/openapi.json): FILE',
  },
}

function usage(): string {
  return `Usage: pnpm cli <command> [options]\n\n${Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(12)} ${c.help}`)
    .join('\n')}\n`
}

const [name, ...args] = process.argv.slice(2)
const command = name ? COMMANDS[name] : undefined
if (!command) {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean' } }, strict: false })
  process.stderr.write(name && !values.help ? `Unknown command: ${name}\n\n${usage()}` : usage())
  process.exit(name ? 2 : 0)
}
command.run(args).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exit(1)
  },
)
