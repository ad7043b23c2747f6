// Who made a lock node, from its data alone (pure logic), and the library's default data.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { nodeOriginOf, VERSION } from '../../lib/index.js';
import { localAddressData } from '../../lib/framework/local-address.js';

describe('node origin from node data (pure logic)', () => {
  it('gateway JSON record, zkurator default data, Curator IP address, anything else', () => {
    expect(nodeOriginOf('{"zkuratorGateway":true,"key":"abc"}')).to.equal('gateway');
    expect(nodeOriginOf('{"zkuratorGateway":"yes"}')).to.equal('unknown');
    expect(nodeOriginOf('{"other":1}')).to.equal('unknown');
    expect(nodeOriginOf('{not json')).to.equal('unknown');
    expect(nodeOriginOf('10.0.0.7 zkurator/0.1.0 pid 4242')).to.equal('zkurator');
    expect(nodeOriginOf('10.0.0.7')).to.equal('curator');
    expect(nodeOriginOf('fe80::1')).to.equal('curator');
    expect(nodeOriginOf('')).to.equal('unknown');
    expect(nodeOriginOf('reader-1')).to.equal('unknown');
    expect(nodeOriginOf('10.0.0.7 zkurator/0.1.0 pid x')).to.equal('unknown');
  });

  it("the library's default node data is `<ip> zkurator/<version> pid <pid>` and classifies as zkurator", () => {
    const data = localAddressData().toString();
    expect(data).to.match(new RegExp(`^\\S+ zkurator/${VERSION.replace(/\./g, '\\.')} pid ${process.pid}$`));
    expect(nodeOriginOf(data)).to.equal('zkurator');
  });

  it('VERSION is package.json\'s version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).to.equal(pkg.version);
  });
});
