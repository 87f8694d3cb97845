import { startAuth0StandIn } from "../../support/stand-in";
import { writeTenantFile } from "../../../local/tenant-file";

// Run as its own process by tenant-file.test.ts, which kills it at a moment of its choosing: a
// tenant that changes without pause, each change written to the tenant file as local mode does.

async function writeForever(file: string): Promise<never> {
  const standIn = await startAuth0StandIn({ domain: "127.0.0.1:7443" });
  for (let index = 0; ; index++) {
    await standIn.createClient({ name: `client ${index}`, app_type: "non_interactive", description: "x".repeat(140) });
    writeTenantFile(file, await standIn.saved());
    if (index === 0) process.stdout.write("writing\n");
  }
}

const file = process.argv[2];
if (file === undefined) throw new Error("usage: kill-writer.ts <tenant file>");
void writeForever(file);
