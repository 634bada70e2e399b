// What e2e/ may use for single sign-on, as `@atrium/server/testing/oidc`: a real OpenID Provider on loopback and a
// browser-like client that signs in on its own pages.
export { type IdpAccount, startTestIdp, type TestIdp } from './oidc-provider';
export { fragmentOf, SsoBrowser } from './sso-browser';
