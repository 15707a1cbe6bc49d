/**
 * `npm run bench [name...]`: runs the named benches (default: all). Each bench is a file exporting `run()`;
 * add new ones (e.g. a mastering render) to BENCHES.
 */
const BENCHES: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  analyze: () => import('./analyze'),
};

const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : Object.keys(BENCHES);
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
