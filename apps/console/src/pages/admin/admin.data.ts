import type { DispatchClient } from '@dispatch/client';
import { settle } from '../../use-load';

/** The operator's look across workspaces: endpoints by health, and the workspaces. */
export async function loadAdmin(client: DispatchClient, status: string | null) {
  const [endpoints, workspaces] = await Promise.all([
    settle(client.admin.endpoints({ query: { limit: 100, ...(status ? { status: status as never } : {}) } })),
    settle(client.admin.listWorkspaces({ query: { limit: 100 } })),
  ]);
  return { endpoints, workspaces };
}
