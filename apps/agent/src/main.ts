import pino from 'pino';
import { startAgent } from './agent';
import { AgentConfigError, loadAgentConfig } from './config';

/** Logs go to stdout only: the agent writes nothing else to disk. */
async function main() {
  let config: ReturnType<typeof loadAgentConfig>;
  try {
    config = loadAgentConfig();
  } catch (error) {
    if (error instanceof AgentConfigError) {
      process.stderr.write(`atrium-agent: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'atrium-agent', site: config.ATRIUM_SITE_ID } });
  const agent = await startAgent(config, logger).catch((error: NodeJS.ErrnoException) => {
    process.stderr.write(
      `atrium-agent: cannot start RADIUS on ${config.RADIUS_LISTEN_ADDR.host}:${config.RADIUS_LISTEN_ADDR.port}: ${error.code ?? error.message}\n`,
    );
    process.exit(1);
  });
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await agent.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
