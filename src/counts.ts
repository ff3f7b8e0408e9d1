import { ApiClient } from './http/client';

/**
 * `GET /v1/<resource>/count` → `{"count": n}`: the vendor documents it for
 * categories, its clients use it for products, orders and customers. Only an
 * estimate for progress, so any failure means no estimate, never a failed stream.
 */
export async function countOf(client: ApiClient, listPath: string, stream: string): Promise<number | undefined> {
  try {
    const res = await client.get(`${listPath}/count`, undefined, stream, 'count');
    return (res.body as { count: number }).count;
  } catch {
    return undefined;
  }
}
