// Mocha's settings. The whole suite is the default spec ONLY when no test file is named on the
// command line: mocha adds a config file's spec to the files it is given, so a fixed spec
// made `npm test -- dist/test/mutex.test.js` and `npx mocha dist/test/mutex.test.js` run
// everything. Name the compiled files (dist/test/...): `npm test -- <file>` builds first.
const namesTestFiles = process.argv.slice(2).some((arg) => /\.test\.[cm]?js$/.test(arg) || arg === '--spec' || arg.startsWith('--spec='));

module.exports = {
  ...(namesTestFiles ? {} : { spec: ['dist/test/**/*.test.js'] }),
  require: ['dist/test/support/root-hooks.js'],
  timeout: 60000,
  slow: 2000,
  reporter: 'test/support/summary-reporter.cjs',
  forbidOnly: true,
  exit: false,
};
