// Run by `npm run bench:engine` as `node program-start-probe.js <program>` in the repository, with
// the environment the Node.js language host gives a program (PULUMI_NODEJS_TYPESCRIPT and the
// like). It starts the program through @pulumi/pulumi's own launcher (cmd/run), exactly as the
// language host does, with Pulumi's mocks standing in for the engine, and prints when the program
// registered its first resource (after the stack itself): milliseconds since this process
// started, and the CPU it had used. Plain JavaScript, so that nothing compiles the probe itself.
"use strict";
const pulumi = require("@pulumi/pulumi");

const program = process.argv[2];
const stack = process.env.BENCH_STACK;
const config = JSON.parse(process.env.BENCH_CONFIG);

pulumi.runtime.setMocks(
  {
    newResource(args) {
      if (args.type !== "pulumi:pulumi:Stack") {
        const cpu = process.cpuUsage();
        process.stdout.write(`${JSON.stringify({ type: args.type, ms: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
        process.exit(0);
      }
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  "timesheets",
  stack,
  true,
);
pulumi.runtime.setAllConfig(config, []);
process.argv = [process.argv[0], "run", "--monitor=mock", "--project=timesheets", `--stack=${stack}`, "--dry-run", program];
require("@pulumi/pulumi/cmd/run");
