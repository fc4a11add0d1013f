#!/usr/bin/env node
// Helper for bad-input.sh (Node standard library only): craft blocks and CIDs by hand and
// place blocks straight into a flatfs blocks/ directory, bypassing ipfs-kit's own checks.
//   node blocktool.mjs store BLOCKSDIR FILE      write FILE as a block; prints
//                                                  "<CIDv0> <CIDv1 dag-pb> <CIDv1 raw> <CIDv1 dag-cbor>"
//   node blocktool.mjs cids KEY                  the same four CIDs for a flatfs key
//   node blocktool.mjs dagpb-dir OUT NAME=CID... a dag-pb UnixFS directory node with these links
//                                                  (names unchecked: "..", "/abs", "a/b" allowed)
//   node blocktool.mjs dagpb OUT DATAHEX         a dag-pb node with only Data = DATAHEX
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58 (buf) {
  let n = BigInt('0x' + (buf.toString('hex') || '0')); let s = ''
  while (n > 0n) { s = B58[Number(n % 58n)] + s; n /= 58n }
  for (const b of buf) { if (b === 0) s = '1' + s; else break }
  return s
}
function base58decode (s) {
  let n = 0n
  for (const c of s) { const i = B58.indexOf(c); if (i < 0) throw new Error('bad base58'); n = n * 58n + BigInt(i) }
  let hex = n.toString(16); if (hex.length % 2) hex = '0' + hex
  let lead = 0; for (const c of s) { if (c === '1') lead++; else break }
  return Buffer.concat([Buffer.alloc(lead), Buffer.from(n === 0n ? '' : hex, 'hex')])
}
const A32 = 'abcdefghijklmnopqrstuvwxyz234567'
function base32 (buf) {
  let bits = 0; let val = 0; let out = ''
  for (const b of buf) { val = (val << 8) | b; bits += 8; while (bits >= 5) { out += A32[(val >>> (bits - 5)) & 31]; bits -= 5 } }
  if (bits > 0) out += A32[(val << (5 - bits)) & 31]
  return out
}
function base32decode (s) {
  let bits = 0; let val = 0; const out = []
  for (const c of s.toLowerCase()) { val = (val << 5) | A32.indexOf(c); bits += 5; if (bits >= 8) { out.push((val >>> (bits - 8)) & 255); bits -= 8 } }
  return Buffer.from(out)
}
const varint = (n) => { const o = []; while (n >= 0x80) { o.push((n & 0x7f) | 0x80); n >>>= 7 } o.push(n); return Buffer.from(o) }
const field = (num, bytes) => Buffer.concat([varint((num << 3) | 2), varint(bytes.length), bytes])

function cidsOfMultihash (mh) {
  const v1 = (codec) => 'b' + base32(Buffer.concat([varint(1), varint(codec), mh]))
  return [base58(mh), v1(0x70), v1(0x55), v1(0x71)]
}
const multihashOf = (bytes) => Buffer.concat([Buffer.from([0x12, 0x20]), crypto.createHash('sha256').update(bytes).digest()])
const flatfsKey = (mh) => base32(mh).toUpperCase()
function cidToMultihash (cid) {
  if (cid.startsWith('Qm')) return base58decode(cid)
  if (cid[0] !== 'b') throw new Error('only Qm... and b... CIDs')
  const bytes = base32decode(cid.slice(1))
  let i = 0; const rd = () => { let x = 0; let s = 0; let b; do { b = bytes[i++]; x |= (b & 0x7f) << s; s += 7 } while (b & 0x80); return x }
  rd(); rd() // version, codec
  return bytes.subarray(i)
}

const [cmd, ...a] = process.argv.slice(2)
if (cmd === 'store') {
  const data = fs.readFileSync(a[1]); const mh = multihashOf(data); const key = flatfsKey(mh)
  const dir = path.join(a[0], key.slice(-3, -1)); fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, `${key}.data`), data)
  console.log(cidsOfMultihash(mh).join(' '))
} else if (cmd === 'cids') {
  console.log(cidsOfMultihash(base32decode(a[0])).join(' '))
} else if (cmd === 'keyof') {
  console.log(flatfsKey(cidToMultihash(a[0])))
} else if (cmd === 'dagpb-dir') {
  const links = a.slice(1).map(s => { const i = s.lastIndexOf('='); return { name: s.slice(0, i), mh: cidToMultihash(s.slice(i + 1)), cid: s.slice(i + 1) } })
  const parts = links.map(l => {
    const hash = l.cid.startsWith('Qm') ? l.mh : Buffer.concat([varint(1), varint(l.cid.startsWith('bafk') ? 0x55 : 0x70), l.mh])
    return field(2, Buffer.concat([field(1, hash), field(2, Buffer.from(l.name)), Buffer.from([0x18, 0x10])]))
  })
  fs.writeFileSync(a[0], Buffer.concat([...parts, field(1, Buffer.from([0x08, 0x01]))]))
} else if (cmd === 'dagpb') {
  fs.writeFileSync(a[0], field(1, Buffer.from(a[1], 'hex')))
} else {
  console.error('usage: see the header of blocktool.mjs'); process.exit(2)
}
