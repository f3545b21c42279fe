/** The broker user's secret: JSON `{ "username": ..., "password": ... }`, the format Lambda's BASIC_AUTH expects too. */
export function readBrokerSecret(secretString: string | undefined, secretArn: string): { username: string; password: string } {
  let value: unknown;
  try {
    value = JSON.parse(secretString ?? '');
  } catch {
    throw new Error(`secret ${secretArn} is not JSON: it must hold {"username": ..., "password": ...} (the messaging stack creates it that way)`);
  }
  const { username, password } = (value ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw new Error(`secret ${secretArn} has no string "username" and "password": restore them (the broker user must match)`);
  }
  return { username, password };
}
