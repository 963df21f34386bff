// Layer rules (STYLE §B): dependencies point inward; only app/ and cli/ see config/.
/** @type {import('dependency-cruiser').IConfiguration} */
const layer = (name) => `^src/${name}/`;
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'config-only-from-app-and-cli',
      comment: 'Other domains receive small XOptions slices cut by app/.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(app|cli|config)/', '^src/main\\.ts$'] },
      to: { path: layer('config') },
    },
    {
      name: 'inner-layers-do-not-import-outer',
      comment: 'errors/shared are the core; they import no other domain.',
      severity: 'error',
      from: { path: '^src/(errors|shared)/' },
      to: { path: '^src/(?!errors/|shared/)' , pathNot: '^src/(errors|shared)/' },
    },
    {
      name: 'storage-blockchain-are-leaves',
      severity: 'error',
      from: { path: '^src/(storage|blockchain)/' },
      to: { path: '^src/(cli|app|transport|services|pipeline|ops|payments|upstream)/' },
    },
    {
      name: 'payments-upstream-below-pipeline',
      comment: 'payments knows nothing of transport or pipeline; upstream does not import payments.',
      severity: 'error',
      from: { path: '^src/(payments|upstream)/' },
      to: { path: '^src/(cli|app|transport|services|pipeline|ops)/' },
    },
    {
      name: 'upstream-not-payments',
      severity: 'error',
      from: { path: '^src/upstream/' },
      to: { path: '^src/payments/' },
    },
    {
      name: 'nothing-imports-app-or-cli',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(app|cli)/', '^src/main\\.ts$', '^src/sea-main\\.ts$'] },
      to: { path: '^src/(app|cli)/' },
    },
    {
      name: 'cross-domain-through-index',
      comment: 'Across domains import only a domain index.ts (STYLE §B.3).',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'production-never-imports-tests',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: ['^test/', '\\.test\\.ts$', '/testing/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
