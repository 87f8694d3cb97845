import { runAsProcess } from "./exit-codes";
import { main } from "./local/main";

runAsProcess("local", () => main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }));
