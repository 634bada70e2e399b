import { describe, expect, it } from 'vitest';
import { Attr, encodeText } from './attributes';
import {
  chapPassword,
  checkMessageAuthenticator,
  hidePassword,
  signAccessRequest,
  signRequest,
  signResponse,
  unhidePassword,
  verifyChapPassword,
  verifyRequestAuthenticator,
  verifyResponseAuthenticator,
  ZERO_AUTHENTICATOR,
} from './authenticator';
import { Code, decode, encode, getAttribute } from './packet';
import { captureRadclient, RFC2865_7_1_ACCEPT, RFC2865_7_1_REQUEST } from './test-support';

const RFC_SECRET = 'xyzzy5461';
const RFC_AUTHENTICATOR = RFC2865_7_1_REQUEST.subarray(4, 20);
const SECRET = 'radclient-s3cret';

describe('User-Password hiding (RFC 2865 §5.2)', () => {
  it('reveals "arctangent" from the RFC 2865 §7.1 request', () => {
    const hidden = getAttribute(decode(RFC2865_7_1_REQUEST), Attr.UserPassword)!;
    expect(unhidePassword(hidden, RFC_SECRET, RFC_AUTHENTICATOR)?.toString()).toBe('arctangent');
  });

  it('hides "arctangent" into exactly the RFC bytes', () => {
    expect(hidePassword('arctangent', RFC_SECRET, RFC_AUTHENTICATOR).toString('hex')).toBe(
      '0dbe708d93d413ce3196e43f782a0aee',
    );
  });

  it('reads a three-block password hidden by radclient', async () => {
    const password = 'a-rather-long-voucher-password-of-41-chars';
    const datagram = await captureRadclient('auth', SECRET, `User-Name = "u", User-Password = "${password}"`);
    const packet = decode(datagram);
    const hidden = getAttribute(packet, Attr.UserPassword)!;
    expect(hidden.length).toBe(48);
    expect(unhidePassword(hidden, SECRET, packet.authenticator)?.toString()).toBe(password);
    expect(hidePassword(password, SECRET, packet.authenticator).equals(hidden)).toBe(true);
    expect(unhidePassword(hidden, 'other-secret', packet.authenticator)?.toString()).not.toBe(password);
  });

  it('refuses hidden values that are not whole 16-octet blocks of at most 128', () => {
    expect(unhidePassword(Buffer.alloc(15), RFC_SECRET, RFC_AUTHENTICATOR)).toBeUndefined();
    expect(unhidePassword(Buffer.alloc(17), RFC_SECRET, RFC_AUTHENTICATOR)).toBeUndefined();
    expect(unhidePassword(Buffer.alloc(144), RFC_SECRET, RFC_AUTHENTICATOR)).toBeUndefined();
    const longest = 'p'.repeat(128);
    const hidden = hidePassword(longest, RFC_SECRET, RFC_AUTHENTICATOR);
    expect(hidden.length).toBe(128);
    expect(unhidePassword(hidden, RFC_SECRET, RFC_AUTHENTICATOR)?.toString()).toBe(longest);
    expect(() => hidePassword('x'.repeat(129), RFC_SECRET, RFC_AUTHENTICATOR)).toThrow(RangeError);
    expect(hidePassword('', RFC_SECRET, RFC_AUTHENTICATOR).length).toBe(16);
  });
});

describe('Response Authenticator', () => {
  it('reproduces the RFC 2865 §7.1 Access-Accept byte for byte', () => {
    const accept = encode({
      code: Code.AccessAccept,
      identifier: 0,
      attributes: [
        { type: Attr.ServiceType, value: Buffer.from('00000001', 'hex') },
        { type: 15, value: Buffer.from('00000000', 'hex') },
        { type: 14, value: Buffer.from('c0a80103', 'hex') },
      ],
    });
    expect(signResponse(accept, RFC_AUTHENTICATOR, RFC_SECRET).equals(RFC2865_7_1_ACCEPT)).toBe(true);
  });

  it('verifies the RFC Access-Accept and refuses it under another secret or request', () => {
    expect(verifyResponseAuthenticator(RFC2865_7_1_ACCEPT, RFC_AUTHENTICATOR, RFC_SECRET)).toBe(true);
    expect(verifyResponseAuthenticator(RFC2865_7_1_ACCEPT, RFC_AUTHENTICATOR, 'xyzzy5462')).toBe(false);
    expect(verifyResponseAuthenticator(RFC2865_7_1_ACCEPT, ZERO_AUTHENTICATOR, RFC_SECRET)).toBe(false);
  });
});

describe('CHAP (RFC 2865 §5.3)', () => {
  it('verifies a CHAP-Password radclient computed over the Request Authenticator', async () => {
    const datagram = await captureRadclient('auth', SECRET, 'User-Name = "u", CHAP-Password = "chap-pass"');
    const packet = decode(datagram);
    const value = getAttribute(packet, Attr.ChapPassword)!;
    expect(value.length).toBe(17);
    expect(getAttribute(packet, Attr.ChapChallenge)).toBeUndefined();
    expect(verifyChapPassword(value, 'chap-pass', packet.authenticator)).toBe(true);
    expect(verifyChapPassword(value, 'chap-pasS', packet.authenticator)).toBe(false);
    expect(verifyChapPassword(value, 'chap-pass', ZERO_AUTHENTICATOR)).toBe(false);
    expect(chapPassword(value[0]!, 'chap-pass', packet.authenticator).equals(value)).toBe(true);
  });

  it('uses CHAP-Challenge when the request carries one', async () => {
    const challenge = '0x00112233445566778899aabbccddeeff0102';
    const datagram = await captureRadclient(
      'auth',
      SECRET,
      `User-Name = "u", CHAP-Password = "chap-pass", CHAP-Challenge = ${challenge}`,
    );
    const packet = decode(datagram);
    const value = getAttribute(packet, Attr.ChapPassword)!;
    expect(getAttribute(packet, Attr.ChapChallenge)?.toString('hex')).toBe(challenge.slice(2));
    expect(verifyChapPassword(value, 'chap-pass', getAttribute(packet, Attr.ChapChallenge)!)).toBe(true);
    expect(verifyChapPassword(value, 'chap-pass', packet.authenticator)).toBe(false);
  });

  it('refuses a CHAP-Password that is not 17 octets', () => {
    expect(verifyChapPassword(Buffer.alloc(16), 'x', ZERO_AUTHENTICATOR)).toBe(false);
    expect(verifyChapPassword(Buffer.alloc(18), 'x', ZERO_AUTHENTICATOR)).toBe(false);
  });
});

describe('Message-Authenticator and request authenticators, against radclient', () => {
  it('checks the Message-Authenticator of an Access-Request', async () => {
    const datagram = await captureRadclient(
      'auth',
      SECRET,
      'User-Name = "u", User-Password = "p", Message-Authenticator = 0x00',
    );
    const auth = decode(datagram).authenticator;
    expect(checkMessageAuthenticator(datagram, SECRET, auth)).toBe('valid');
    expect(checkMessageAuthenticator(datagram, `${SECRET}x`, auth)).toBe('invalid');
    const tampered = Buffer.from(datagram);
    tampered[tampered.length - 1] = tampered.at(-1)! ^ 1;
    expect(checkMessageAuthenticator(tampered, SECRET, auth)).toBe('invalid');
    expect(checkMessageAuthenticator(encode(decode(RFC2865_7_1_REQUEST)), RFC_SECRET, RFC_AUTHENTICATOR)).toBe(
      'absent',
    );
    // signing the same bytes again gives what radclient sent
    expect(signAccessRequest(Buffer.from(datagram), SECRET).equals(datagram)).toBe(true);
  });

  it('checks an Accounting-Request (RFC 2866 §3) and its Message-Authenticator over a zero authenticator', async () => {
    const datagram = await captureRadclient(
      'acct',
      SECRET,
      'User-Name = "u", Acct-Status-Type = Start, Acct-Session-Id = "s-1", Message-Authenticator = 0x00',
    );
    expect(verifyRequestAuthenticator(datagram, SECRET)).toBe(true);
    expect(verifyRequestAuthenticator(datagram, `${SECRET}x`)).toBe(false);
    expect(checkMessageAuthenticator(datagram, SECRET, ZERO_AUTHENTICATOR)).toBe('valid');
    expect(signRequest(Buffer.from(datagram), SECRET).equals(datagram)).toBe(true);
  });

  it('checks a Disconnect-Request (RFC 5176 §2.3) the same way', async () => {
    const datagram = await captureRadclient(
      'disconnect',
      SECRET,
      'User-Name = "u", Acct-Session-Id = "s-1", Message-Authenticator = 0x00',
    );
    expect(datagram[0]).toBe(Code.DisconnectRequest);
    expect(verifyRequestAuthenticator(datagram, SECRET)).toBe(true);
    expect(checkMessageAuthenticator(datagram, SECRET, ZERO_AUTHENTICATOR)).toBe('valid');
    expect(signRequest(Buffer.from(datagram), SECRET).equals(datagram)).toBe(true);
  });

  it('treats two Message-Authenticators, or one of the wrong size, as invalid', () => {
    const twice = signRequest(
      encode({
        code: Code.AccountingRequest,
        identifier: 3,
        attributes: [
          { type: Attr.UserName, value: encodeText('u') },
          { type: Attr.MessageAuthenticator, value: Buffer.alloc(16) },
        ],
      }),
      SECRET,
    );
    const extra = Buffer.concat([twice, Buffer.from([Attr.MessageAuthenticator, 18]), Buffer.alloc(16)]);
    extra.writeUInt16BE(extra.length, 2);
    expect(checkMessageAuthenticator(twice, SECRET, ZERO_AUTHENTICATOR)).toBe('valid');
    expect(checkMessageAuthenticator(extra, SECRET, ZERO_AUTHENTICATOR)).toBe('invalid');
    const short = encode({
      code: Code.AccessRequest,
      identifier: 3,
      attributes: [{ type: Attr.MessageAuthenticator, value: Buffer.alloc(15) }],
    });
    expect(checkMessageAuthenticator(short, SECRET, ZERO_AUTHENTICATOR)).toBe('invalid');
  });
});
