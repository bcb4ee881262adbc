// BGZF bytes of any content, for readers' tests: gzip members of at most `blockSize` bytes of
// content, each with the 'BC' extra field that gives its size, then the empty EOF block.
import { gzipSync } from 'node:zlib';

export function bgzf(content: Buffer, blockSize = 65280): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; i <= content.length; i += blockSize) {
    const member = gzipSync(content.subarray(i, i + blockSize)); // 10-byte header, deflate, crc32 + isize
    const out = Buffer.alloc(member.length + 8);
    Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 66, 67, 2, 0]).copy(out);
    out.writeUInt16LE(out.length - 1, 16);
    member.copy(out, 18, 10);
    blocks.push(out);
    if (i + blockSize >= content.length) break;
  }
  return Buffer.concat([...blocks, Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex')]);
}
