// The `seqlab` command line: one file per command in this folder, dispatched by name.
// Errors a user can cause (missing file, bad JSON, corrupt weights) print one line and exit 1.
import { CliError, type Command } from './command';

const commands: Record<string, () => Promise<Command>> = {
  stats: async () => (await import('./stats.js')).statsCommand,
  logits: async () => (await import('./logits.js')).logitsCommand,
  generate: async () => (await import('./generate.js')).generateCommand,
  train: async () => (await import('./train.js')).trainCommand,
  eval: async () => (await import('./eval.js')).evalCommand,
  'export-onnx': async () => (await import('./export-onnx.js')).exportOnnxCommand,
  'import-hf': async () => (await import('./import-hf.js')).importHfCommand,
  'export-hf': async () => (await import('./export-hf.js')).exportHfCommand,
  'export-run': async () => (await import('./export-run.js')).exportRunCommand,
  'import-run': async () => (await import('./import-run.js')).importRunCommand,
  vep: async () => (await import('./vep.js')).vepCommand,
  mutagenesis: async () => (await import('./mutagenesis.js')).mutagenesisCommand,
  embed: async () => (await import('./embed.js')).embedCommand,
};

function usage(): string {
  const names = Object.keys(commands).sort();
  return `usage: seqlab <command> [options]\ncommands: ${names.join(', ')}\nseqlab <command> --help for a command's options`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) throw new CliError(`unknown command "${name}"\n${usage()}`);
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) console.error(`seqlab: ${err.message}`);
    else if (err instanceof Error && process.env.SEQLAB_DEBUG) console.error(err.stack);
    else console.error(`seqlab: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
