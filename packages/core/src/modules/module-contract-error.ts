/** A module that breaks the contract stops the boot with a message naming it. */
export class ModuleContractError extends Error {
  override name = 'ModuleContractError'
  constructor(
    readonly module: string,
    problem: string,
  ) {
    super(`Module ${module}: ${problem}`)
  }
}
