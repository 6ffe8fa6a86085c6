// import() of a module outside the bundle: a recipe (the shipped ones, a user's) or tsx. The
// converge bundle runs as a script with V8's code cache (engine/code-cache.ts), where an import()
// of its own would need Node 20's experimental vm loader option (which warns on stderr): the
// bundle puts in this module's place one that calls the import() of code-cache.ts, an ES module
// (scripts/bundle.mjs). Specifiers are absolute URLs or package names.
export const importExternal = (specifier: string): Promise<Record<string, any>> => import(specifier);
