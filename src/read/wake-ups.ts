/**
 * Readers waiting for a producer to move (the products list and its followers,
 * src/read/product-list.ts; the list and the streams taking its embedded arrays,
 * src/read/embedded-children.ts): each waits for the next wake-up, and one call
 * wakes every one waiting.
 */
export class WakeUps {
  private waiting: Array<(moved: boolean) => void> = [];

  /** Resolves true at the next wakeAll(), or false after `timeoutMs` if given and nothing woke it first. */
  next(timeoutMs?: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => resolve(false), timeoutMs);
      this.waiting.push((moved) => {
        clearTimeout(timer);
        resolve(moved);
      });
    });
  }

  wakeAll(): void {
    if (this.waiting.length === 0) return;
    const woken = this.waiting;
    this.waiting = [];
    for (const wake of woken) wake(true);
  }
}
