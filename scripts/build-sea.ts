// `npm run build:sea [-- --out DIR]`: the single-file release, a `snetd` executable that starts without
// Node or npm on the server (Node's single executable applications), in
// dist-sea/snetd-<version>-<platform>-<arch>/:
//
//   snetd              the Node 24 binary running this script, with the CLI bundled into it
//   lib/snetd/         files the code reads beside itself: .proto files, the signature worker thread
//   node_modules/      the packages that cannot be bundled, with their dependencies (below)
//   package.json       name and version (`snetd version`)
//
// Node 24 embeds one CommonJS script, whose `require` sees only Node's built-in modules: esbuild bundles
// src/sea-main.ts into that script, and a banner gives the bundle a `require` (and an `import.meta.url`)
// rooted at lib/snetd/main.js beside the executable, so the packages left out load from node_modules/.
// The folder is the release: copy it whole (tar it) to the server. Built and tested on Linux; macOS and
// Windows executables also need signing (see Node's single-executable-applications docs).
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

/**
 * Left out of the bundle, shipped in node_modules/ beside the executable: native addons (lmdb and its
 * msgpackr-extract, secp256k1), packages that read files beside their code (etcd3's .proto files, the
 * contracts' JSON, protobufjs's descriptor.json) or that snetd loads on demand with createRequire (yaml,
 * nodemailer, prom-client, cockatiel: esbuild cannot follow those requires, see {@link lazyRequiredPackages}).
 * hardhat is left out and not shipped: `snetd dev` needs a checkout.
 */
const shipped = ['lmdb', 'secp256k1', 'etcd3', 'cockatiel', 'nodemailer', 'yaml', 'prom-client', 'protobufjs', 'singularitynet-platform-contracts', 'singularitynet-token-contracts'];
const external = [...shipped, 'hardhat'];

/** Where the bundle finds what it left out: beside the executable, or (run as a plain script) two folders up. */
const banner = [
  "var __snetdRoot = require('node:sea').isSea() ? require('node:path').dirname(process.execPath) : require('node:path').join(__dirname, '..', '..');",
  "var __snetdMain = require('node:path').join(__snetdRoot, 'lib', 'snetd', 'main.js');",
  "var __snetdUrl = require('node:url').pathToFileURL(__snetdMain).href;",
  "var require = require('node:module').createRequire(__snetdMain);",
].join('\n');

/** The sentinel Node's executable carries for an injected application (Node's SEA docs). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface SeaRelease {
  readonly dir: string;
  readonly executable: string;
}

/** Builds the release into `outDir` (replaced if present) and returns its folder and executable. */
export async function buildSea(outDir: string): Promise<SeaRelease> {
  if (!process.versions.node.startsWith('24.')) throw new Error(`build the release with the pinned Node 24 (npm run build:sea), not ${process.version}`);
  const missing = lazyRequiredPackages().filter((name) => !shipped.includes(name));
  if (missing.length > 0) throw new Error(`scripts/build-sea.ts: src/ loads ${missing.join(', ')} with createRequire, which the bundle cannot follow: add them to 'shipped'`);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const dir = join(outDir, `snetd-${version}-${process.platform}-${process.arch}`);
  const lib = join(dir, 'lib', 'snetd');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(lib, { recursive: true });

  await build({
    absWorkingDir: root,
    entryPoints: { main: 'src/sea-main.ts', 'recovery-worker': 'src/blockchain/signatures/recovery-worker.ts' },
    outdir: lib,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    external,
    // One URL for every bundled module: the files they read beside themselves are all in lib/snetd/.
    define: { 'import.meta.url': '__snetdUrl' },
    banner: { js: banner },
    logLevel: 'warning',
  });
  for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.proto')) cpSync(join(entry.parentPath, entry.name), join(lib, entry.name));
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'snetd-ts', version, private: true }, null, 2)}\n`);
  copyPackages(shipped, join(dir, 'node_modules'));

  const blob = join(outDir, 'sea-prep.blob');
  const seaConfig = join(outDir, 'sea-config.json');
  // execArgv: the flag bin/snetd.js gives Node (docs/operations.md, Runtime flags). The code cache spares
  // compiling the 7 MB bundle at every start.
  writeFileSync(seaConfig, JSON.stringify({ main: join(lib, 'main.js'), output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, execArgv: ['--max-semi-space-size=2'] }));
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'ignore' });
  const executable = join(dir, 'snetd');
  cpSync(process.execPath, executable);
  const { inject } = require('postject') as { inject: (file: string, name: string, data: Buffer, options: { sentinelFuse: string }) => Promise<void> };
  // postject's LIEF (WebAssembly) warns through console.warn about ELF note sections it cannot name
  // ("Can't find string offset for section name '.note.100'"), harmless for Node's binary: nothing a user can
  // act on, so those lines are dropped while it runs; any other warning still shows.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes("Can't find string offset for section name")) warn(...args);
  };
  try {
    await inject(executable, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
  } finally {
    console.warn = warn;
  }
  rmSync(blob);
  rmSync(seaConfig);
  return { dir, executable };
}

/**
 * Packages the daemon's code (src/, tests and the dev network aside) loads through a `createRequire`
 * function with a literal name (`requireCjs('prom-client')`, `createRequire(import.meta.url)('lmdb')`):
 * a lazy load that keeps start-up fast, invisible to the bundler, so each must be shipped beside it.
 */
export function lazyRequiredPackages(): string[] {
  const names = new Set<string>();
  const call = /(?:\brequire\w*|createRequire\([^)]*\))\('([^'.][^']*)'\)/g;
  for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
    const file = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts') || relative(root, file).startsWith(join('src', 'devnet'))) continue;
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(call)) {
      if (specifier === undefined || specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string));
    }
  }
  return [...names].sort();
}

/**
 * Copies packages and their dependencies (optional ones when installed) from the checkout's node_modules,
 * each at the same place in the tree, so that Node resolves every require beside the executable exactly
 * as in the checkout (nested versions included).
 */
function copyPackages(names: readonly string[], target: string): void {
  const modules = join(root, 'node_modules');
  const copied = new Set<string>();
  const visit = (name: string, from: string): void => {
    const dir = resolvePackage(name, from);
    if (dir === undefined || name.startsWith('@types/')) return;
    const place = relative(modules, dir);
    if (copied.has(place)) return;
    copied.add(place);
    cpSync(dir, join(target, place), { recursive: true, dereference: true, filter: (path) => !/\/node_modules(\/|$)/.test(path.slice(dir.length)) });
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: object; optionalDependencies?: object };
    for (const dependency of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dependency, dir);
  };
  for (const name of names) visit(name, root);
}

/** The folder Node's lookup finds for `name` from `from` (node_modules of it and of each parent), if installed. */
function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

if (import.meta.main) {
  const outFlag = process.argv.indexOf('--out');
  const outDir = outFlag === -1 ? join(root, 'dist-sea') : (process.argv[outFlag + 1] ?? join(root, 'dist-sea'));
  const release = await buildSea(outDir);
  process.stdout.write(`single-file release in ${relative(process.cwd(), release.dir) || '.'}: ${relative(process.cwd(), release.executable)} (copy the whole folder)\n`);
}
