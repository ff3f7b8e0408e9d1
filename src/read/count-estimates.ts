import { ApiClient } from '../http';
import { ApiError } from '../protocol';
import { countPath } from './vendor';

/**
 * `GET /v1/<resource>/count` → `{"count": n}`: the vendor documents it for
 * categories, its clients use it for products, orders and customers. Only an
 * estimate for progress, so a failure means no estimate, never a failed stream;
 * and after one failure the run asks no more (a server without the endpoint
 * then costs one request, not one per stream). Counts are asked one at a time
 * for that reason; nobody waits for them but the estimate. A list is counted
 * once per run however many ask (the products stream and the per-product
 * streams' progress ask for the same count).
 */
export class CountEstimates {
  private queue: Promise<unknown> = Promise.resolve();
  private unavailable = false;
  private readonly asked = new Map<string, Promise<number | undefined>>();

  constructor(private readonly client: ApiClient) {}

  /**
   * The list's count. Where the plain count answers 400 and the stream names
   * parameter sets (`trade=0` and `trade=1`: customers.yaml marks `trade`
   * required on /v1/customers/count), the sum of one count per set: a shop whose
   * plain count answers pays no request more than before.
   */
  countOf(listPath: string, stream: string, parts?: Array<Record<string, string | number>>): Promise<number | undefined> {
    const key = JSON.stringify([listPath, parts]);
    const known = this.asked.get(key);
    if (known) return known;
    const count = async (params?: Record<string, string | number>): Promise<number> =>
      ((await this.client.get(countPath(listPath), params, stream, 'count')).body as { count: number }).count;
    const next = this.queue.then(async () => {
      if (this.unavailable) return undefined;
      try {
        try {
          return await count();
        } catch (error) {
          if (!parts || !(error instanceof ApiError && error.status === 400)) throw error;
          let sum = 0;
          for (const params of parts) sum += await count(params);
          return sum;
        }
      } catch {
        this.unavailable = true;
        return undefined;
      }
    });
    this.queue = next;
    this.asked.set(key, next);
    return next;
  }
}
