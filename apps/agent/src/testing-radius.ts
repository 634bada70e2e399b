// `@atrium/agent/testing/radius`: the RADIUS side alone (codec, server, voucher store, radclient). bench/radius-agent.ts
// is bundled from it and measured for memory, so it must not pull in the link, ws or pino.
export { Attr, encodeInteger, encodeIpaddr, encodeText } from './radius/attributes';
export {
  checkMessageAuthenticator,
  hidePassword,
  signAccessRequest,
  verifyRequestAuthenticator,
  verifyResponseAuthenticator,
} from './radius/authenticator';
export { AUTHENTICATOR_LENGTH, Code, decode, encode } from './radius/packet';
export { RadiusServer } from './radius/server';
export { radclient } from './radius/test-support';
export { type VoucherInput, VoucherStore } from './vouchers/store';
