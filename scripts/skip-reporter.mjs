// A node:test reporter that writes one JSON line per test or suite that did not run (skipped or
// todo), with its file and reason. scripts/run-tests.mjs reads it to print what the green run
// left out, and to fail in CI, where every real component must be present.
export default async function* notRunReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, todo, name, file } = event.data;
    if (skip === undefined && todo === undefined) continue;
    if (skip === false || (skip === undefined && todo === false)) continue;
    const reason = typeof skip === 'string' ? skip : typeof todo === 'string' ? todo : '';
    yield `${JSON.stringify({ file: file ?? '', name, reason, todo: skip === undefined })}\n`;
  }
}
