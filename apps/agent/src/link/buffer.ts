/**
 * Events waiting for the server: a ring of at most `capacity`; when full the oldest is dropped and counted. An event
 * stays until the server acks its id, so a link that drops mid-flush loses nothing: unacked events go again.
 */
export class EventBuffer<T extends { id: string }> {
  #items = new Map<string, T>();
  #dropped = 0;

  constructor(readonly capacity = 10_000) {}

  push(event: T): void {
    if (this.#items.size >= this.capacity) {
      const oldest = this.#items.keys().next().value as string;
      this.#items.delete(oldest);
      this.#dropped += 1;
    }
    this.#items.set(event.id, event);
  }

  ack(id: string): boolean {
    return this.#items.delete(id);
  }

  /** Everything not yet acked, oldest first. */
  pending(): T[] {
    return [...this.#items.values()];
  }

  get length(): number {
    return this.#items.size;
  }

  get dropped(): number {
    return this.#dropped;
  }
}
