import { runAsProcess } from "./exit-codes";
import { main } from "./audit/main";

runAsProcess("audit", () => main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }));
