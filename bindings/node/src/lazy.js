// The JS half of lazy.rs, compiled once per environment by the addon (napi_run_script) and
// given `member(result, id)`, which returns the JSON text of a large member, and
// `release(result)`, which frees the native memory of the members not read yet: builds a
// result object from its head (the JSON of the result with `null` in place of each large member)
// and turns each large member into an enumerable getter that builds the value on first read
// (JSON.parse of that member alone) and replaces itself with an ordinary
// data property, so that the object is a plain object like `JSON.parse` of the whole result:
// same keys in the same order, `JSON.stringify`, spread, `Object.keys`, `structuredClone` and
// `assert.deepStrictEqual` see the same values. The result also gets `dispose()` and
// `[Symbol.dispose]()` (not enumerable, so none of those see them either).
(function () {
  'use strict';
  return function (member, release) {
    const inspect = Symbol.for('nodejs.util.inspect.custom');
    // Node 20 defines `Symbol.dispose` as `Symbol.for('nodejs.dispose')`; newer engines have
    // the standard symbol.
    const disposeSymbol = Symbol.dispose ?? Symbol.for('nodejs.dispose');

    // A member that is built when first read.
    function define(object, key, id, result, pending) {
      let built = false;
      let value;
      const settle = (v) => {
        value = v;
        built = true;
        pending.delete(key);
        // Replace the getter with a data property (not possible on a frozen or sealed object:
        // the getter then keeps returning the value).
        if (Object.getOwnPropertyDescriptor(object, key)?.configurable) {
          Object.defineProperty(object, key, { value: v, writable: true, enumerable: true, configurable: true });
        }
        if (pending.size === 0 && Object.getOwnPropertyDescriptor(object, inspect)?.configurable) {
          delete object[inspect];
        }
      };
      Object.defineProperty(object, key, {
        enumerable: true,
        configurable: true,
        get() {
          if (!built) settle(JSON.parse(member(result, id)));
          return value;
        },
        set(v) {
          if (this === object && Object.isFrozen(object)) {
            throw new TypeError(`Cannot assign to read only property '${key}' of object`);
          }
          if (this === object) settle(v);
          else Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
        },
      });
    }

    // util.inspect (console.log) shows values, not `[Getter/Setter]`: it builds the pending
    // members first. Not enumerable, so JSON, spread, Object.keys and deepStrictEqual skip it.
    function showValues(object, pending, state) {
      Object.defineProperty(object, inspect, {
        enumerable: false,
        configurable: true,
        writable: true,
        value() {
          // A disposed result shows its unread members as getters.
          if (!state.disposed) for (const key of [...pending]) void object[key];
          return object;
        },
      });
    }

    // `dispose()`: frees the native memory of the members not read yet (reading one afterwards
    // throws a DharmaError `disposed`); idempotent.
    function disposable(root, result, state) {
      const dispose = function dispose() {
        if (state.disposed) return;
        state.disposed = true;
        release(result);
      };
      for (const key of ['dispose', disposeSymbol]) {
        Object.defineProperty(root, key, { value: dispose, enumerable: false, configurable: true, writable: true });
      }
    }

    // head: JSON text; entries: JSON text of [[key, ...], ...], the path of each large member.
    return function lazy(head, entries, result) {
      const root = JSON.parse(head);
      const state = { disposed: false };
      disposable(root, result, state);
      const pending = new Map();
      const list = JSON.parse(entries);
      for (let id = 0; id < list.length; id++) {
        const path = list[id];
        let object = root;
        for (let i = 0; i < path.length - 1; i++) object = object[path[i]];
        let keys = pending.get(object);
        if (!keys) {
          keys = new Set();
          pending.set(object, keys);
          showValues(object, keys, state);
        }
        const key = path[path.length - 1];
        keys.add(key);
        define(object, key, id, result, keys);
      }
      return root;
    };
  };
})()
