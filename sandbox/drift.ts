import { badRequest, isPlainObject, isPositiveInt } from './errors';
import { parseMutation } from './mutations';
import { Stream } from './resources';
import { DriftLog, DriftSpec, MutateOp, MutateResult } from './types';

// Drift lets a test change the data *between two page requests* of a
// connector running in another process, which is how offset pagination
// loses or repeats records in real life.

interface Armed {
  spec: DriftSpec;
  remaining: number;
  mutation: MutateOp;
}

/** Validates an untrusted drift body; the mutation part is checked like any admin mutation. */
export function parseDrift(body: unknown): { spec: DriftSpec; mutation: MutateOp } {
  if (!isPlainObject(body)) throw badRequest('Drift must be a JSON object');
  const afterRequests = body.afterRequests ?? 1;
  if (!isPositiveInt(afterRequests)) throw badRequest('"afterRequests" must be a positive integer');
  if (body.product_id !== undefined && !isPositiveInt(body.product_id)) {
    throw badRequest('"product_id" must be a positive integer');
  }
  if (body.op !== 'insert' && body.op !== 'update' && body.op !== 'delete') {
    throw badRequest('Drift "op" must be one of insert, update, delete');
  }
  const { resource, ids, count, product_id, at } = body;
  const mutation = parseMutation({ op: body.op, resource, ids, count, product_id, at });
  if (mutation.op === 'touch_all') throw badRequest('touch_all cannot be armed as drift');
  const target = { resource: mutation.resource, afterRequests, ...(isPositiveInt(product_id) ? { product_id } : {}) };
  const spec: DriftSpec =
    mutation.op === 'insert' ? { ...target, op: 'insert', count: mutation.count, ...(mutation.at !== undefined && { at: mutation.at }) } : { ...target, op: mutation.op, ids: mutation.ids };
  return { spec, mutation };
}

export class DriftQueue {
  private armed: Armed[] = [];
  private readonly applied: DriftLog['applied'] = [];

  arm(spec: DriftSpec, mutation: MutateOp): void {
    this.armed.push({ spec, mutation, remaining: spec.afterRequests ?? 1 });
  }

  /**
   * Call after a list page of `stream` was answered without a fault. Returns
   * the mutations that are now due, in the order they were armed.
   */
  due(stream: Stream, productId: number | undefined): Armed[] {
    const ready: Armed[] = [];
    for (const drift of this.armed) {
      if (drift.spec.resource !== stream) continue;
      if (drift.spec.product_id !== undefined && drift.spec.product_id !== productId) continue;
      drift.remaining -= 1;
      if (drift.remaining === 0) ready.push(drift);
    }
    this.armed = this.armed.filter((d) => d.remaining > 0);
    return ready;
  }

  /** Kept for GET /__admin/drift, so a test can see whether its drift fired. */
  record(spec: DriftSpec, outcome: { result?: MutateResult; error?: string }): void {
    this.applied.push({ spec, ...outcome });
  }

  log(): DriftLog {
    return {
      armed: this.armed.map((d) => ({ ...d.spec, remaining: d.remaining })),
      applied: [...this.applied],
    };
  }
}
