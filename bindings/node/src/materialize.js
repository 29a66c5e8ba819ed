// The JS half of chunked.rs, compiled once per environment by the addon (napi_run_script):
// turns a large async result, cut into steps on the pool thread, into plain objects a few
// pieces per turn of the event loop, so that timers and I/O run in between. The value built is
// the one `JSON.parse` of the whole text gives (same keys in the same order, same values).
(function () {
  'use strict';
  // Bytes of JSON text parsed per turn of the event loop (well under a millisecond of work).
  const BUDGET = 64 * 1024;
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  // `target[key] = value`, except that a `__proto__` key becomes an own property (as
  // `JSON.parse` makes it) instead of changing the prototype.
  function put(target, key, value) {
    if (key === '__proto__') {
      Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    } else {
      target[key] = value;
    }
  }

  // steps: JSON text of [[op, path, start, end], ...]; body: a Buffer of the pieces (UTF-8
  // JSON text). Ops: 0 put the piece at path, 1 push its items onto the array at path, 2 copy
  // its members onto the object at path, 3 append it to the string at path.
  return async function materialize(steps, body) {
    const holder = { value: undefined };
    let spent = 0;
    for (const [op, path, start, end] of JSON.parse(steps)) {
      if (spent >= BUDGET) {
        spent = 0;
        await nextTurn();
      }
      spent += end - start;
      const piece = JSON.parse(body.toString('utf8', start, end));
      let parent = holder;
      let key = 'value';
      for (const segment of path) {
        parent = parent[key];
        key = segment;
      }
      if (op === 0) {
        put(parent, key, piece);
      } else if (op === 1) {
        const list = parent[key];
        for (const item of piece) list.push(item);
      } else if (op === 2) {
        const object = parent[key];
        for (const k of Object.keys(piece)) put(object, k, piece[k]);
      } else {
        parent[key] += piece;
      }
    }
    return holder.value;
  };
})()
