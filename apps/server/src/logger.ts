import pino, { type Logger } from 'pino';

/** Paths that must never reach a log line, wherever they appear in a logged object. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'deviceCode',
  '*.deviceCode',
  'totpSecret',
  '*.totpSecret',
  'code',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-client-cert"]',
  'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { service: 'atrium-server' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination,
  );
}
