// The sweep of open draws: starts the close of each that has none running (a start finds a running
// one, and a close that ended is never run twice).
import { heartbeat } from '@temporalio/activity';
import type { Db } from '../store/connection.ts';
import { listOpenDrawIds } from '../store/draws.ts';
import { type DrawStarterOptions, startDrawClosing } from './draw-client.ts';

export interface DrawClosingsDependencies extends DrawStarterOptions {
  db: Db;
}

export function createDrawClosingsActivities(deps: DrawClosingsDependencies) {
  return {
    async ensureDrawClosings(): Promise<string[]> {
      const started: string[] = [];
      let afterId: string | null = null;
      for (;;) {
        const itemIds = await listOpenDrawIds(deps.db, { afterId, limit: 200 });
        for (const itemId of itemIds) {
          if (await startDrawClosing(deps, itemId)) started.push(itemId);
        }
        heartbeat(itemIds.length);
        if (itemIds.length < 200) return started;
        afterId = itemIds[itemIds.length - 1] ?? null;
      }
    },
  };
}

export type DrawClosingsActivities = ReturnType<typeof createDrawClosingsActivities>;
