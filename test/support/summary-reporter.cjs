// Mocha's spec reporter, plus one plain closing line "N passed, N failed" that any CI log
// reader understands.
'use strict';
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const s = runner.stats || { passes: 0, failures: 0 };
      process.stdout.write(`${s.passes} passed, ${s.failures} failed\n`);
    });
  }
}

module.exports = SummaryReporter;
