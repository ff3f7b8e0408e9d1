/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // Transpile only (isolatedModules in tsconfig.dev.json, where ts-jest 29.4 wants it): `npm run typecheck`
  // (part of `npm test`) type-checks the whole tree once.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }] },
  testTimeout: 60000,
};
