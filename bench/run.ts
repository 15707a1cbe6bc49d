/**
 * `npm run bench [name...]`: runs the named benches (default: all but the slow `long`). Each bench is a file exporting `run()`;
 * add new ones (e.g. a mastering render) to BENCHES.
 */
const BENCHES: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  analyze: () => import('./analyze'),
  long: () => import('./long'),
  master: () => import('./master'),
};
/** Slow benches run only when named. */
const ON_REQUEST = new Set(['long']);

const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : Object.keys(BENCHES).filter((name) => !ON_REQUEST.has(name));
for (const name of names) {
  const load = BENCHES[name];
  if (!load) {
    console.error(`unknown bench "${name}" (have: ${Object.keys(BENCHES).join(', ')})`);
    process.exit(2);
  }
  console.log(`== bench: ${name}`);
  await (await load()).run();
}
export {};
