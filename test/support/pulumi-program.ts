// The tests run the program exactly as `npm run render` does: under Pulumi's in-process mocks.
export { runFailingProgram, runProgram, secretInput, valueOf } from "../../stacks/offline-run";
export type { ProgramRun, RegisteredResource } from "../../stacks/offline-run";
