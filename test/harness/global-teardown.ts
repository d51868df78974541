export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __ionPg?: { stop(): Promise<void> } }).__ionPg;
  if (pg) await pg.stop();
}
