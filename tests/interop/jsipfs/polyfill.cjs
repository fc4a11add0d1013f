// Loaded with `node --require` by start.sh. js-ipfs 0.66.1 resolves transitive dependencies
// (it-queue, through mortice) that call Promise.withResolvers, which Node gained only in 22.
// Add it when missing; a no-op on newer Node.
'use strict'
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers () {
      const out = {}
      out.promise = new this((resolve, reject) => { out.resolve = resolve; out.reject = reject })
      return out
    }
  })
}
