// What every CLI command provides, and the error type for problems the user can fix.

export interface Command {
  /** Shown by `seqlab <command> --help`. */
  readonly help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** A user-facing error: printed as one line, no stack trace, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

/**
 * Parses `--name value` and `--flag` options. `spec` maps each option to 'value', 'values'
 * (repeatable, or several values until the next option), or 'flag'. Unknown options are errors.
 */
export function parseOptions(
  args: string[],
  spec: Record<string, 'value' | 'values' | 'flag'>,
): {
  values: Record<string, string>;
  lists: Record<string, string[]>;
  flags: Set<string>;
  positional: string[];
} {
  const values: Record<string, string> = {},
    lists: Record<string, string[]> = {};
  const flags = new Set<string>(),
    positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const name = a.slice(2),
      kind = spec[name];
    if (!kind) throw new CliError(`unknown option ${a}`);
    if (kind === 'flag') {
      flags.add(name);
      continue;
    }
    if (kind === 'value') {
      if (i + 1 >= args.length) throw new CliError(`option ${a} needs a value`);
      values[name] = args[++i];
      continue;
    }
    const list = (lists[name] ??= []);
    while (i + 1 < args.length && !args[i + 1].startsWith('--')) list.push(args[++i]);
    if (list.length === 0) throw new CliError(`option ${a} needs at least one value`);
  }
  return { values, lists, flags, positional };
}
