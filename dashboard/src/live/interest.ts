/** The most node ids one subscription may name (the server's limit, LiveSubscription.MAX_NODES). */
export const MAX_SUBSCRIBED = 1000;

/**
 * Which nodes the components on screen want live data for. Each component holds a handle and
 * sets its ids; the union is what the page subscribes to on the live WebSocket, so a node list
 * showing 30 rows of 10,000 receives 30 nodes' samples, and the overview none.
 */
export class NodeInterest {
  private readonly wants = new Map<number, readonly string[]>();
  private next = 1;

  /** A new handle wanting `ids`. */
  add(ids: readonly string[]): number {
    const h = this.next++;
    this.wants.set(h, ids);
    return h;
  }

  set(handle: number, ids: readonly string[]): void {
    if (this.wants.has(handle)) this.wants.set(handle, ids);
  }

  remove(handle: number): void {
    this.wants.delete(handle);
  }

  /** Every wanted id once, sorted, at most MAX_SUBSCRIBED (the first in sort order). */
  union(): string[] {
    const all = new Set<string>();
    for (const ids of this.wants.values()) for (const id of ids) all.add(id);
    return [...all].sort().slice(0, MAX_SUBSCRIBED);
  }
}

/** The frame that sets the socket's subscription to `ids`. */
export function subscribeFrame(ids: readonly string[]): string {
  return JSON.stringify({ type: 'subscribe', nodes: ids });
}
