import { runAsProcess } from "./exit-codes";
import { main } from "./verify/main";

runAsProcess("verify", () => main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }));
