import { ApiClient } from '../http';
import { countPath } from './vendor';

/**
 * `GET /v1/<resource>/count` → `{"count": n}`: the vendor documents it for
 * categories, its clients use it for products, orders and customers. Only an
 * estimate for progress, so a failure means no estimate, never a failed stream;
 * and after one failure the run asks no more (a server without the endpoint
 * then costs one request, not one per stream). Counts are asked one at a time
 * for that reason; nobody waits for them but the estimate.
 */
export class CountEstimates {
  private queue: Promise<unknown> = Promise.resolve();
  private unavailable = false;

  constructor(private readonly client: ApiClient) {}

  /**
   * The list's count, or the sum of one count per parameter set (`trade=0` and
   * `trade=1`: /v1/customers/count requires `trade`, customers.yaml).
   */
  countOf(listPath: string, stream: string, parts: Array<Record<string, string | number> | undefined> = [undefined]): Promise<number | undefined> {
    const next = this.queue.then(async () => {
      if (this.unavailable) return undefined;
      try {
        let sum = 0;
        for (const params of parts) {
          const res = await this.client.get(countPath(listPath), params, stream, 'count');
          sum += (res.body as { count: number }).count;
        }
        return sum;
      } catch {
        this.unavailable = true;
        return undefined;
      }
    });
    this.queue = next;
    return next;
  }
}
