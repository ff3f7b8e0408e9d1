import Module from 'node:module';

/** What a stand-in must be able to do before its package loads. */
export interface StandInShape {
  /** The package exports a function or a class: the stand-in can be called and constructed. */
  callable?: boolean;
  /**
   * The package sets no `__esModule` flag (plain CommonJS): TypeScript's import helpers probe
   * for it when the requiring module loads, and the stand-in answers without loading it.
   */
  noEsModuleFlag?: boolean;
}

/**
 * Makes `require(id)`, from `requiredFrom`'s folder, return a stand-in that
 * loads the real package the first time anything reads from, calls or
 * constructs it: nothing the requiring package does changes, only when the
 * package loads. For packages a dependency loads at start-up for code this
 * connector never runs (test/startup/loaded-modules.test.ts checks which stay
 * unloaded, and that each stand-in behaves as its package).
 */
export function loadOnFirstUse(id: string, requiredFrom: string, shape: StandInShape = {}): void {
  const file = require.resolve(id, { paths: [requiredFrom] });
  if (require.cache[file]) return;
  let real: any;
  const load = () => {
    if (!real) {
      delete require.cache[file];
      real = require(file);
    }
    return real;
  };
  const standIn = new Module(file);
  standIn.filename = file;
  standIn.loaded = true;
  const traps: ProxyHandler<any> = {
    get: (_, key) => (key === '__esModule' && shape.noEsModuleFlag ? undefined : load()[key]),
    has: (_, key) => key in load(),
  };
  if (shape.callable) {
    // A function target, so that the proxy can be called and constructed; its own keys stay the target's.
    traps.apply = (_, self, args) => Reflect.apply(load(), self, args);
    traps.construct = (_, args, newTarget) => Reflect.construct(load(), args, newTarget === standIn.exports ? load() : newTarget);
  } else {
    traps.ownKeys = () => Reflect.ownKeys(load());
    traps.getOwnPropertyDescriptor = (_, key) => {
      const descriptor = Object.getOwnPropertyDescriptor(load(), key);
      return descriptor && { ...descriptor, configurable: true };
    };
  }
  standIn.exports = new Proxy(shape.callable ? function standIn() {} : {}, traps);
  require.cache[file] = standIn;
}
