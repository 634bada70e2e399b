import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Test and bench helper only: a throwaway CA (openssl, P-256) with a server certificate for localhost and an agent
 * certificate carrying the agent identity SAN, written into `dir` as PEM files. For a WSS peer that is not the server.
 */
export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  agentCert: string;
  agentKey: string;
  /** Where the agent's files are: agent.crt, agent.key and ca.crt, the names of a registration bundle. */
  dir: string;
}

export function issueTestPki(dir: string, agent: { tenantId: string; siteId: string }): TestPki {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const newKey = (name: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
  newKey('ca.key');
  openssl(
    ...['req', '-x509', '-new', '-key', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Atrium test CA'],
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  );
  const issue = (name: string, subject: string, extensions: string) => {
    newKey(`${name}.key`);
    openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    fs.writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      ...['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'],
      ...['-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`],
    );
  };
  issue('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue(
    'agent',
    '/CN=agent',
    `subjectAltName=URI:urn:atrium:tenant:${agent.tenantId}:site:${agent.siteId}\nextendedKeyUsage=clientAuth\n`,
  );
  const read = (name: string) => fs.readFileSync(file(name), 'utf8');
  return {
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    agentCert: read('agent.crt'),
    agentKey: read('agent.key'),
    dir,
  };
}
