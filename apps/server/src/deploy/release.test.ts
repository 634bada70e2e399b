import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

interface Workflow {
  on: { push: { tags: string[] } };
  env: Record<string, string>;
  jobs: Record<
    string,
    {
      strategy: { matrix: { include: Array<{ image: string; dockerfile: string }> } };
      steps: Array<{ uses?: string; with?: Record<string, unknown> }>;
    }
  >;
}

describe('the release workflow', () => {
  const workflow = parse(fs.readFileSync(path.join(root, '.github/workflows/release.yml'), 'utf8')) as Workflow;
  const job = workflow.jobs.images!;

  it('runs on a version tag and builds the server and the agent from their Dockerfiles', () => {
    expect(workflow.on.push.tags).toEqual(['v*']);
    expect(job.strategy.matrix.include).toEqual([
      { image: 'atrium-server', dockerfile: 'apps/server/Dockerfile' },
      { image: 'atrium-agent', dockerfile: 'apps/agent/Dockerfile' },
    ]);
    for (const { dockerfile } of job.strategy.matrix.include)
      expect(fs.existsSync(path.join(root, dockerfile))).toBe(true);
  });

  it('pushes multi-arch images (amd64, arm64) to the registry named by one setting', () => {
    const build = job.steps.find((step) => step.uses?.startsWith('docker/build-push-action'))!;
    expect(build.with).toMatchObject({ platforms: 'linux/amd64,linux/arm64', push: true });
    expect(workflow.env.IMAGE_REGISTRY).toContain('vars.IMAGE_REGISTRY');
    expect(job.steps.some((step) => step.uses?.startsWith('docker/setup-qemu-action'))).toBe(true);
  });

  it('compose and the dashboard name the published images, from the same one setting', () => {
    // As docker-compose resolves them: the default registry, then one set in the environment.
    const images = (registry?: string) => {
      const env = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-release-')), '.env');
      fs.writeFileSync(
        env,
        `${fs.readFileSync(path.join(root, '.env.example'), 'utf8')}\nATRIUM_SECRET_KEY=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=\nATRIUM_IMAGE_REGISTRY=${registry ?? ''}\nATRIUM_VERSION=1.2.0\n`,
      );
      const out = execFileSync(
        'docker-compose',
        ['--env-file', env, '-f', path.join(root, 'docker-compose.yml'), 'config'],
        {
          encoding: 'utf8',
        },
      );
      return [...out.matchAll(/image: (\S+atrium-\S+)/g)].map((m) => m[1]).sort();
    };
    expect(images()).toEqual([
      'ghcr.io/atrium-visitor/atrium-agent:1.2.0',
      'ghcr.io/atrium-visitor/atrium-server:1.2.0',
    ]);
    expect(images('registry.example.com/it')).toEqual([
      'registry.example.com/it/atrium-agent:1.2.0',
      'registry.example.com/it/atrium-server:1.2.0',
    ]);
    expect(() => loadConfig({ ATRIUM_IMAGE_REGISTRY: 'Not A Registry' })).toThrow(/^ATRIUM_IMAGE_REGISTRY must be/);
    expect(loadConfig({ ATRIUM_IMAGE_REGISTRY: 'registry.example.com:5000/it' }).ATRIUM_IMAGE_REGISTRY).toBe(
      'registry.example.com:5000/it',
    );
  });
});
