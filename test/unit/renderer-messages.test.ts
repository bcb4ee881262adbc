// The renderer boundary (protocol/renderer-messages.ts): the host's checks of the renderer's export
// and generateFrom requests, the renderer's check of the answers, and both sides talking over a
// channel the way the notebook renderer and the extension host do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, RemoteError } from '../../protocol/channel';
import {
  MAX_EXPORT_CHARS,
  RENDERER_CHANNEL,
  parseExportRequest,
  parseGenerateFromRequest,
  parseRendererReply,
  rendererHostValidators,
  rendererValidators,
  type ExportRequest,
  type RendererHostSays,
  type RendererSays,
} from '../../protocol/renderer-messages';
import { ProtocolError } from '../../protocol/validate';
import { portPair } from '../support/port-pair';

const exp: ExportRequest = {
  format: 'bed',
  suggestedName: 'lambda_virus.high-surprisal.bed',
  encoding: 'utf8',
  content: 'chr\t0\t10\n',
};
const gen = { outputId: 'abc', record: 0, position: 48000 };

/** Asserts that `parse(raw)` throws a ProtocolError whose message matches `says`. */
function refuses(parse: (raw: unknown) => unknown, raw: unknown, says: RegExp): void {
  assert.throws(
    () => parse(raw),
    (e: unknown) => e instanceof ProtocolError && says.test(e.message),
    JSON.stringify(raw)?.slice(0, 200),
  );
}

test('export requests: names are bare, format and encoding are known, content is bounded', () => {
  assert.deepEqual(parseExportRequest(exp), exp);
  for (const bad of ['../x.bed', '/etc/passwd', 'a/b.csv', '.hidden', '', 'x\u0000.bed', 'C:\\x.bed'])
    refuses(parseExportRequest, { ...exp, suggestedName: bad }, /^export\.suggestedName: /);
  refuses(parseExportRequest, { ...exp, format: 'exe' }, /^export\.format: expected one of bed, csv, json, fasta, wav/);
  refuses(parseExportRequest, { ...exp, encoding: 'hex' }, /^export\.encoding: /);
  refuses(parseExportRequest, { ...exp, content: 42 }, /^export\.content: /);
  refuses(parseExportRequest, { ...exp, content: 'x'.repeat(MAX_EXPORT_CHARS + 1) }, /^export\.content: /);
  refuses(parseExportRequest, null, /^export: expected an object/);
});

test('generateFrom requests: whole positions and records, a bounded output id', () => {
  assert.deepEqual(parseGenerateFromRequest(gen), gen);
  refuses(parseGenerateFromRequest, { ...gen, position: 1.5 }, /^generateFrom\.position: /);
  refuses(parseGenerateFromRequest, { ...gen, record: -1 }, /^generateFrom\.record: /);
  refuses(parseGenerateFromRequest, { ...gen, outputId: 'x'.repeat(257) }, /^generateFrom\.outputId: /);
  refuses(parseGenerateFromRequest, { record: 0, position: 1 }, /^generateFrom\.outputId: /);
});

test("the host's answers carry a message", () => {
  assert.deepEqual(parseRendererReply({ message: 'saved x.bed' }), { message: 'saved x.bed' });
  refuses(parseRendererReply, { message: 3 }, /^reply\.message: /);
  refuses(parseRendererReply, 'saved', /^reply: expected an object/);
});

/** A renderer and a host on one port pair; the host's handlers record what they were asked. */
function connected() {
  const pair = portPair();
  const renderer = new Channel<RendererSays, RendererHostSays>({
    name: RENDERER_CHANNEL,
    port: pair.a,
    validate: rendererValidators,
  });
  const refused: string[] = [];
  const host = new Channel<RendererHostSays, RendererSays>({
    name: RENDERER_CHANNEL,
    port: pair.b,
    validate: rendererHostValidators,
    onInvalid: (e) => refused.push(e.message),
  });
  const asked: unknown[] = [];
  host.serve({
    export: (req) => {
      asked.push(req);
      return { message: `saved ${req.suggestedName}` };
    },
    generateFrom: (req) => {
      asked.push(req);
      throw new Error(`the analysis has no record ${req.record}`);
    },
  });
  return { renderer, asked, refused };
}

test('round trip: the host answers an export with what it did and a failed generate with its error', async () => {
  const { renderer, asked } = connected();
  assert.deepEqual(await renderer.request('export', exp), { message: `saved ${exp.suggestedName}` });
  await assert.rejects(renderer.request('generateFrom', { ...gen, record: 7 }), (e: unknown) => {
    assert.ok(e instanceof RemoteError);
    assert.equal(e.message, 'the analysis has no record 7');
    return true;
  });
  assert.deepEqual(asked, [exp, { ...gen, record: 7 }]);
});

test('round trip: a request the host refuses never reaches its handler, and the renderer hears why', async () => {
  const { renderer, asked, refused } = connected();
  // The renderer's types forbid this; the host checks for a buggy or hostile page.
  await assert.rejects(renderer.request('export', { ...exp, suggestedName: '../../.bashrc' }), (e: unknown) => {
    assert.ok(e instanceof RemoteError);
    assert.equal(e.remoteName, 'ProtocolError');
    assert.match(e.message, /export\.suggestedName: "\.\.\/\.\.\/\.bashrc" is not a bare file name/);
    return true;
  });
  assert.deepEqual(asked, []);
  assert.equal(refused.length, 1);
});
