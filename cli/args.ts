// The options of one command, parsed strictly: an unknown option, a missing value or a bad number is a
// usage error (exit 2) that names the option, never a guess.

export class UsageError extends Error {}

export interface OptionSpec {
  /** Takes a value (`--markdown report.md`); otherwise a flag (`--live`). */
  value?: boolean;
  /** May be given more than once (the values are collected). */
  repeat?: boolean;
  about: string;
}

export type Parsed = Record<string, string | string[] | boolean | undefined>;

/** Parses `--name value`, `--name=value` and `--flag`; positional arguments are refused. */
export function parseArgs(args: string[], spec: Record<string, OptionSpec>): Parsed {
  const out: Parsed = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}" (options start with --)`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const option = spec[name];
    if (!option) throw new UsageError(`no option --${name}${closest(name, Object.keys(spec))}`);
    if (!option.value) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
    if (value.length > 4096) throw new UsageError(`--${name}: the value is longer than 4096 characters`);
    if (option.repeat) out[name] = [...((out[name] as string[] | undefined) ?? []), value];
    else if (out[name] !== undefined) throw new UsageError(`--${name} is given twice`);
    else out[name] = value;
  }
  return out;
}

/** A whole number from `min` to `max`, or the default; a usage error otherwise. */
export function intOption(parsed: Parsed, name: string, fallback: number, min: number, max: number): number {
  const raw = parsed[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
}

export function usageText(command: string, about: string, spec: Record<string, OptionSpec>): string {
  const rows = Object.entries(spec).map(([name, o]) => [`--${name}${o.value ? " <value>" : ""}`, o.about]);
  const width = Math.max(...rows.map(([n]) => n.length));
  return [`usage: orgstack ${command} [options]`, "", about, "", ...rows.map(([n, a]) => `  ${n.padEnd(width)}  ${a}`)].join("\n");
}

function closest(name: string, known: string[]): string {
  const near = known.find((k) => k.startsWith(name.slice(0, 3)));
  return near ? ` (did you mean --${near}?)` : "";
}
