import { runAsProcess } from "./exit-codes";
import { main } from "./drift/main";

runAsProcess("drift check", () => main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }));
