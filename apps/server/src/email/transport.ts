import fs from 'node:fs';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { Config } from '../config';

export type SmtpConfig = Pick<Config, 'SMTP_URL' | 'SMTP_FROM' | 'SMTP_TLS_CA_FILE'>;

/** Sends email through the configured SMTP server; absent when email is off (SMTP_URL unset). */
export interface Mailer {
  /** The configured sender, `Atrium <visitors@example.com>`. */
  readonly from: string;
  send(mail: SendMailOptions): Promise<void>;
  close(): void;
}

/** Why a send failed, and whether trying again later can help (SMTP 4xx, network) or not (SMTP 5xx). */
export class SendFailure extends Error {
  override name = 'SendFailure';
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** nodemailer's options for SMTP_URL: STARTTLS when offered, required with ?tls=required, implicit TLS for smtps. */
export function smtpOptions(config: SmtpConfig) {
  const url = new URL(config.SMTP_URL!);
  const secure = url.protocol === 'smtps:';
  const ca = config.SMTP_TLS_CA_FILE ? fs.readFileSync(config.SMTP_TLS_CA_FILE, 'utf8') : undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: url.searchParams.get('tls') === 'required',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    tls: { ...(ca ? { ca } : {}), minVersion: 'TLSv1.2' as const },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  };
}

/** SMTP replies in the 5xx range are final; everything else (4xx, refused, timed out, TLS trouble) is retried. */
export function classify(error: unknown): SendFailure {
  const e = error as { responseCode?: number; response?: string; code?: string; message?: string };
  const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
  const reason = e.response ?? e.message ?? String(error);
  return new SendFailure(`${e.code ? `${e.code}: ` : ''}${reason}`.slice(0, 1000), permanent);
}

export function createMailer(config: SmtpConfig): Mailer | undefined {
  if (!config.SMTP_URL || !config.SMTP_FROM) return undefined;
  const transport: Transporter = nodemailer.createTransport(smtpOptions(config));
  const from = config.SMTP_FROM;
  return {
    from,
    async send(mail) {
      try {
        await transport.sendMail({ from, ...mail });
      } catch (error) {
        throw classify(error);
      }
    },
    close: () => transport.close(),
  };
}
