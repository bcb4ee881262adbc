// `seqlab logits` and `seqlab generate` as a user runs them (node dist/cli.js, built by the test
// runner before the tiers): outputs against the fixture, and user errors as one line, exit 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { HF_FIXTURE_DIR, REPO_ROOT, fixtureBin, fixtureJson } from '../support/hf-fixture';
import { TOLERANCE, assertClose } from '../support/tolerance';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');

function seqlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SEQLAB_DEBUG: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('seqlab logits and generate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ids = join(HF_FIXTURE_DIR, 'input_ids.json');

  it('logits writes [2, 257, 16] float32 equal to the HF fixture and names the backend', () => {
    const out = join(dir, 'logits.bin');
    const r = seqlab('logits', '--model', HF_FIXTURE_DIR, '--ids', ids, '--out', out, '--backend', 'cpu');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /logits \[2, 257, 16\] float32/);
    assert.match(r.stdout, /backend cpu/);
    const buf = readFileSync(out);
    assertClose(
      new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)),
      fixtureBin('logits_f64.bin'),
      TOLERANCE.logitsCpu,
      'CLI logits',
    );
  });

  it("generate prints the fixture's greedy tokens as JSON", () => {
    const fx = fixtureJson<{ prefix_input_ids: number[][]; new_tokens: number[][] }>('generate.json');
    const prompt = join(dir, 'prompt.json');
    writeFileSync(prompt, JSON.stringify(fx.prefix_input_ids));
    const r = seqlab(
      'generate',
      '--model',
      HF_FIXTURE_DIR,
      '--ids',
      prompt,
      '--tokens',
      String(fx.new_tokens[0].length),
      '--temperature',
      '0',
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), fx.new_tokens);
    assert.match(r.stderr, /^backend cpu/);
  });

  const cases: [string, () => string[], RegExp][] = [
    [
      'a missing model directory',
      () => ['logits', '--model', join(dir, 'nope'), '--ids', ids, '--out', join(dir, 'x.bin')],
      /nope[/\\]config\.json: no such file$/,
    ],
    [
      'a missing ids file',
      () => ['logits', '--model', HF_FIXTURE_DIR, '--ids', join(dir, 'none.json'), '--out', join(dir, 'x.bin')],
      /none\.json: no such file$/,
    ],
    [
      'ids that are not JSON',
      () => {
        writeFileSync(join(dir, 'bad.json'), '[[1, 2,');
        return ['logits', '--model', HF_FIXTURE_DIR, '--ids', join(dir, 'bad.json'), '--out', join(dir, 'x.bin')];
      },
      /bad\.json: invalid JSON/,
    ],
    [
      'an id out of range',
      () => {
        writeFileSync(join(dir, 'range.json'), '[[1, 2], [3, 99]]');
        return ['generate', '--model', HF_FIXTURE_DIR, '--ids', join(dir, 'range.json'), '--tokens', '2'];
      },
      /range\.json: id 99 at \[1\]\[1\] is not an integer in the vocabulary \[0, 16\)$/,
    ],
    [
      'corrupt weights',
      () => {
        const model = join(dir, 'corrupt');
        mkdirSync(model, { recursive: true });
        copyFileSync(join(HF_FIXTURE_DIR, 'config.json'), join(model, 'config.json'));
        writeFileSync(
          join(model, 'model.safetensors'),
          readFileSync(join(HF_FIXTURE_DIR, 'model.safetensors')).subarray(0, 5000),
        );
        return ['logits', '--model', model, '--ids', ids, '--out', join(dir, 'x.bin')];
      },
      /model\.safetensors: tensor ".*": data_offsets .* run past the end of the data .* \(byte \d+\)$/,
    ],
    ['a missing --out', () => ['logits', '--model', HF_FIXTURE_DIR, '--ids', ids], /--out FILE\.bin is required$/],
    [
      'a bad --temperature',
      () => ['generate', '--model', HF_FIXTURE_DIR, '--ids', ids, '--tokens', '2', '--temperature', 'hot'],
      /--temperature must be a non-negative number, got "hot"$/,
    ],
    [
      'an unknown backend',
      () => ['logits', '--model', HF_FIXTURE_DIR, '--ids', ids, '--out', join(dir, 'x.bin'), '--backend', 'tpu'],
      /--backend must be one of auto, cpu, webgpu, onnx, got "tpu"$/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one line on stderr, exit 1`, () => {
      const r = seqlab(...args());
      assert.equal(r.status, 1);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
      assert.match(lines[0], /^seqlab: /);
      assert.match(lines[0], message);
    });
  }
});
