// Runs a platform's collectors side by side; one that fails is logged and left out (its section
// keeps its previous value), never failing the others or the scan.

export async function runParts<T extends Record<string, () => Promise<unknown>>>(
  warn: (part: string, err: unknown) => void,
  parts: T,
): Promise<{ [K in keyof T]?: Awaited<ReturnType<T[K]>> }> {
  const out: { [K in keyof T]?: Awaited<ReturnType<T[K]>> } = {};
  await Promise.all(
    Object.entries(parts).map(async ([name, run]) => {
      try {
        out[name as keyof T] = (await run()) as Awaited<ReturnType<T[keyof T]>>;
      } catch (err) {
        warn(name, err);
      }
    }),
  );
  return out;
}
