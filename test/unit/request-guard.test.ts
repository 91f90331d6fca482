import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkHost,
  checkOrigin,
  checkToken,
  checkUpgrade,
  type GuardConfig,
  parseHost,
  pathOfRequestTarget,
  tokenFromRequestTarget,
} from '../../src/server/request-guard.js';

const config: GuardConfig = {
  host: '127.0.0.1',
  port: 4400,
  allowedOrigins: ['http://localhost:5173/'],
  token: null,
};
const requestHost = { hostname: '127.0.0.1', port: 4400 };

function status(verdict: { ok: true } | { ok: false; status: number }): number {
  return verdict.ok ? 200 : verdict.status;
}

describe('parseHost', () => {
  it('parses names, IPv4 and bracketed IPv6, with and without a port', () => {
    assert.deepEqual(parseHost('localhost:4400'), { hostname: 'localhost', port: 4400 });
    assert.deepEqual(parseHost('LOCALHOST:4400'), { hostname: 'localhost', port: 4400 });
    assert.deepEqual(parseHost('127.0.0.1'), { hostname: '127.0.0.1', port: 80 });
    assert.deepEqual(parseHost('[::1]:4400'), { hostname: '[::1]', port: 4400 });
    assert.deepEqual(parseHost('[0:0:0:0:0:0:0:1]:4400'), { hostname: '[::1]', port: 4400 });
  });

  it('rejects malformed values', () => {
    for (const value of [
      undefined,
      '',
      '[',
      '[::1',
      '::1',
      'a b',
      'a/b',
      'user@localhost',
      'localhost:99999',
      'localhost:x',
      'a:1:2',
      'évil.com',
      'localhost\\@evil',
    ]) {
      assert.equal(parseHost(value), null, String(value));
    }
  });
});

describe('checkHost', () => {
  it('accepts the loopback names and the configured host on our port', () => {
    for (const host of ['127.0.0.1:4400', 'localhost:4400', '[::1]:4400'])
      assert.equal(status(checkHost(host, config)), 200, host);
    assert.equal(status(checkHost('devbox.lan:4400', { ...config, host: 'devbox.lan' })), 200);
    assert.equal(status(checkHost('[::1]:4400', { ...config, host: '::1' })), 200);
  });

  it('rejects other names (DNS rebinding), other ports and a missing port', () => {
    assert.equal(status(checkHost('evil.com:4400', config)), 403);
    assert.equal(status(checkHost('localhost.evil.com:4400', config)), 403);
    assert.equal(status(checkHost('127.0.0.1:4401', config)), 403);
    assert.equal(status(checkHost('localhost', config)), 403, 'no port means 80');
    assert.equal(status(checkHost('localhost', { ...config, port: 80 })), 200);
    assert.equal(status(checkHost('192.168.1.5:4400', config)), 403, 'an IP that is not ours on loopback');
  });

  it('answers 400 to a malformed or missing Host', () => {
    assert.equal(status(checkHost('[', config)), 400);
    assert.equal(status(checkHost(undefined, config)), 400);
  });

  it('on a wildcard address accepts any IP literal but still no names', () => {
    const wildcard = { ...config, host: '0.0.0.0' };
    assert.equal(status(checkHost('192.168.1.5:4400', wildcard)), 200);
    assert.equal(status(checkHost('[fe80::1]:4400', { ...config, host: '::' })), 200);
    assert.equal(status(checkHost('evil.com:4400', wildcard)), 403);
    assert.equal(status(checkHost('0.0.0.0:4400', config)), 403, 'not on a loopback server');
  });
});

describe('checkOrigin', () => {
  it('allows an absent Origin (a non-browser client)', () => {
    assert.equal(status(checkOrigin(undefined, requestHost, config)), 200);
  });

  it('allows our own origins and the configured ones', () => {
    for (const origin of [
      'http://127.0.0.1:4400',
      'http://localhost:4400',
      'http://[::1]:4400',
      'http://localhost:5173',
      'HTTP://LOCALHOST:4400',
    ]) {
      assert.equal(status(checkOrigin(origin, requestHost, config)), 200, origin);
    }
  });

  it('rejects foreign, opaque, file, extension and malformed origins', () => {
    const rejected = [
      'http://evil.com',
      'https://127.0.0.1:4400',
      'http://127.0.0.1:4401',
      'http://127.0.0.1',
      'null',
      'file://',
      'chrome-extension://abcdef',
      'moz-extension://1234',
      'safari-web-extension://1234',
      'ws://127.0.0.1:4400',
      'http://127.0.0.1:4400/path',
      'http://user@127.0.0.1:4400',
      'http://evil.com\\@127.0.0.1:4400',
      'http://',
      '',
      ' http://127.0.0.1:4400',
    ];
    for (const origin of rejected)
      assert.equal(status(checkOrigin(origin, requestHost, config)), 403, origin);
  });

  it('on a wildcard address allows the page origin that matches the request Host only', () => {
    const wildcard = { ...config, host: '0.0.0.0' };
    const lan = { hostname: '192.168.1.5', port: 4400 };
    assert.equal(status(checkOrigin('http://192.168.1.5:4400', lan, wildcard)), 200);
    assert.equal(
      status(checkOrigin('http://10.0.0.9:4400', lan, wildcard)),
      403,
      'some other machine on our port',
    );
  });

  it('an allowedOrigins entry that is not an http(s) origin never matches', () => {
    const odd = { ...config, allowedOrigins: ['chrome-extension://abc', 'garbage'] };
    assert.equal(status(checkOrigin('chrome-extension://abc', requestHost, odd)), 403);
  });
});

describe('checkToken', () => {
  const withToken = { ...config, token: 'abc' };
  it('passes everything when no token is in force', () => {
    assert.equal(status(checkToken(null, config)), 200);
  });
  it('needs the exact token: 401 when missing, 403 when wrong', () => {
    assert.equal(status(checkToken(null, withToken)), 401);
    assert.equal(status(checkToken('', withToken)), 401);
    assert.equal(status(checkToken('abd', withToken)), 403);
    assert.equal(status(checkToken('abcd', withToken)), 403);
    assert.equal(status(checkToken('ab', withToken)), 403);
    assert.equal(status(checkToken('abc', withToken)), 200);
  });
});

describe('request targets', () => {
  it('extracts the token and the undecoded path', () => {
    assert.equal(tokenFromRequestTarget('/ws?token=a%20b&x=1'), 'a b');
    assert.equal(tokenFromRequestTarget('/ws'), null);
    assert.equal(pathOfRequestTarget('/%2e%2e/x?token=1'), '/%2e%2e/x');
  });
});

describe('checkUpgrade', () => {
  it('checks Host, then Origin, then token', () => {
    const withToken = { ...config, token: 't' };
    assert.equal(
      status(checkUpgrade({ host: 'evil.com:4400', origin: 'http://evil.com' }, '/ws', withToken)),
      403,
    );
    assert.equal(
      status(checkUpgrade({ host: '127.0.0.1:4400', origin: 'http://evil.com' }, '/ws?token=t', withToken)),
      403,
    );
    assert.equal(status(checkUpgrade({ host: '127.0.0.1:4400' }, '/ws', withToken)), 401);
    assert.equal(
      status(
        checkUpgrade({ host: '127.0.0.1:4400', origin: 'http://127.0.0.1:4400' }, '/ws?token=t', withToken),
      ),
      200,
    );
  });
});
