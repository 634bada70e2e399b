import type { RegisteredAgent } from '@atrium/protocol';
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n';
import { downloadText } from '../../ui/download';
import { Notice } from '../../ui/Notice';
import { BUNDLE_FILES, combinedBundle, composeSnippet, dockerRunCommand } from './deploy';

type BundleFile = keyof typeof BUNDLE_FILES;
const ALL_FILES = Object.keys(BUNDLE_FILES) as BundleFile[];

/**
 * The bundle, shown once: three downloads, one combined file, where the agent image comes from and how to start it. A
 * renewal's bundle is the same, for the same agent. It closes once every file was downloaded; before that, closing
 * asks a second time, naming the files that would be lost.
 */
export function AgentBundle({
  registered,
  renewal = false,
  onDone,
}: {
  registered: RegisteredAgent;
  renewal?: boolean;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const command = dockerRunCommand(registered.env, registered.image);
  const compose = composeSnippet(registered.env, registered.image);
  const [copied, setCopied] = useState(false);
  const [saved, setSaved] = useState<ReadonlySet<BundleFile>>(new Set());
  const [askedToClose, setAskedToClose] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // The private key exists only in this page now: ask before it is lost to a reload or a closed tab.
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);
  const missing = ALL_FILES.filter((which) => !saved.has(which));
  const markSaved = (files: BundleFile[]) => setSaved((set) => new Set([...set, ...files]));
  const file = (which: BundleFile) => () => {
    downloadText(registered.bundle[which], BUNDLE_FILES[which], 'application/x-pem-file');
    markSaved([which]);
  };
  function close() {
    if (missing.length === 0 || askedToClose) onDone();
    else setAskedToClose(true);
  }

  return (
    <section className="card card-highlight" aria-labelledby="agent-bundle-title" data-testid="agent-bundle">
      <h2 id="agent-bundle-title" ref={heading} tabIndex={-1}>
        {t(renewal ? 'agents.renewTitle' : 'agents.bundleTitle', { name: registered.agent.name })}
      </h2>
      <Notice tone="warning">{t('agents.bundleWarning')}</Notice>
      {renewal && <Notice tone="info">{t('agents.renewNotice')}</Notice>}
      {registered.env.ATRIUM_SERVER_URL === null && (
        <div data-testid="agent-no-endpoint">
          <Notice tone="warning">{t('agents.noEndpoint')}</Notice>
        </div>
      )}
      <div className="button-row">
        <button type="button" className="btn btn-secondary" onClick={file('cert')} data-testid="agent-download-cert">
          {t('agents.downloadCert')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={file('key')} data-testid="agent-download-key">
          {t('agents.downloadKey')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={file('ca')} data-testid="agent-download-ca">
          {t('agents.downloadCa')}
        </button>
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => {
            downloadText(combinedBundle(registered), `atrium-agent-${registered.agent.id}.pem`);
            markSaved(ALL_FILES);
          }}
          data-testid="agent-download-all"
        >
          {t('agents.downloadAll')}
        </button>
      </div>
      <h3>{t('agents.imageTitle')}</h3>
      <p data-testid="agent-image">
        {t('agents.imageIntro')} <code>{registered.image}</code>
      </p>
      <pre className="code" data-testid="agent-docker-pull">
        <code>docker pull {registered.image}</code>
      </pre>
      <h3>{t('agents.dockerTitle')}</h3>
      <p>{t('agents.dockerIntro')}</p>
      <pre className="code" data-testid="agent-docker-run">
        <code>{command}</code>
      </pre>
      <div className="button-row">
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() =>
            navigator.clipboard?.writeText(command).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {t('agents.copy')}
        </button>
        <span role="status">{copied ? t('agents.copied') : ''}</span>
      </div>
      <details data-testid="agent-compose">
        <summary>{t('agents.composeTitle')}</summary>
        <pre className="code">
          <code>{compose}</code>
        </pre>
      </details>
      {askedToClose && missing.length > 0 && (
        <div data-testid="agent-bundle-missing">
          <Notice tone="warning">
            {t('agents.notSaved', { files: missing.map((which) => BUNDLE_FILES[which]).join(', ') })}
          </Notice>
        </div>
      )}
      <div className="button-row">
        <button type="button" className="btn btn-primary push-right" onClick={close} data-testid="agent-bundle-done">
          {askedToClose && missing.length > 0 ? t('agents.closeAnyway') : t('agents.done')}
        </button>
      </div>
    </section>
  );
}
