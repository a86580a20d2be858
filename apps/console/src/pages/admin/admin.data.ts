import type { DispatchClient } from '@dispatch/client';

/** The operator's look across workspaces: endpoints (failing first) and the workspaces. */
export async function loadAdmin(client: DispatchClient, status: string | null) {
  const [endpoints, workspaces] = await Promise.all([
    client.admin.endpoints({ query: { limit: 100, ...(status ? { status: status as never } : {}) } }),
    client.admin.listWorkspaces({ query: { limit: 100 } }),
  ]);
  return { endpoints, workspaces };
}
