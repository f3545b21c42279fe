/** A configuration problem: says which file, which key, and what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly problem: string,
  ) {
    super(`${file}: ${key ? `key "${key}": ` : ''}${problem}`);
    this.name = 'ConfigError';
  }
}

/** Several problems found in one file, reported together so one run shows them all. */
export class ConfigErrors extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
  }
}
