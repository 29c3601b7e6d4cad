// The demo's console users, so a newcomer can look at the console at once: an operator and a
// viewer of the coffee chain, made through the operator API like any console user. Their passwords
// are made at the first start and kept in .data/console-demo.json (readable by its owner only),
// since the gateway keeps only their hashes.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GatewayClient } from '../../partner-kit/client/index.ts';
import type { DemoAlliance } from './demo-alliance.ts';

export interface DemoConsoleUser {
  username: string;
  role: 'operator' | 'partner_viewer';
  partnerSlug: string | null;
  password: string;
}

function passwordsFile(dataDir: string): string {
  return path.join(dataDir, 'console-demo.json');
}

function readOrMakeUsers(dataDir: string): DemoConsoleUser[] {
  const file = passwordsFile(dataDir);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoConsoleUser[];
  const password = () => randomBytes(12).toString('base64url');
  const users: DemoConsoleUser[] = [
    { username: 'demo-operator', role: 'operator', partnerSlug: null, password: password() },
    { username: 'coffee-viewer', role: 'partner_viewer', partnerSlug: 'coffee', password: password() },
  ];
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  return users;
}

/** Creates the demo's console users (a user made at an earlier start is left as it is). */
export async function seedDemoConsoleUsers(input: {
  operator: GatewayClient;
  alliance: DemoAlliance;
  dataDir: string;
}): Promise<DemoConsoleUser[]> {
  const users = readOrMakeUsers(input.dataDir);
  for (const user of users) {
    const partner = input.alliance.partners.find((candidate) => candidate.slug === user.partnerSlug);
    const created = await input.operator.POST('/v1/operator/console-users', {
      params: { header: { 'idempotency-key': `demo-console-${user.username}` } },
      body: {
        username: user.username,
        role: user.role,
        partnerId: partner?.partnerId ?? null,
        password: user.password,
      },
    });
    const taken = created.error?.errors?.some((error) => error.message === 'is taken') ?? false;
    if (!created.data && !taken) {
      throw new Error(
        `creating console user ${user.username} failed: ${created.response.status} ${JSON.stringify(created.error)}`,
      );
    }
  }
  return users;
}
