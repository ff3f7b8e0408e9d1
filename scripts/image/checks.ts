/** The outcomes of `npm run image:test`'s checks, each printed as it is made. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export class Checks {
  readonly all: Check[] = [];

  check(name: string, ok: boolean, detail: string): void {
    this.all.push({ name, ok, detail });
    console.error(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
  }

  /** The closing line; the exit code: 0 when every check passed. */
  close(what: string): number {
    const failed = this.all.filter((c) => !c.ok);
    console.log(`${what}: ${this.all.length - failed.length} passed, ${failed.length} failed`);
    return failed.length ? 1 : 0;
  }
}
