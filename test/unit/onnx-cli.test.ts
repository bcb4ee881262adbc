// `seqlab export-onnx` and `--backend onnx` (logits, generate, eval) as a user runs them, through
// the compiled CLI: exports in both modes, an existing file kept without --force, nothing written
// beside --out, bad model folders and non-SeqLab .onnx files refused with the file named, and the
// onnx backend's logits, tokens and bits against the CPU backend's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import { GraphBuilder, valueInfo } from '../../kernels/onnx/graph-builder';
import { REAL, realFile } from '../support/real-data';
import { HF_FIXTURE_DIR, fixtureJson } from '../support/hf-fixture';
import { TOLERANCE, assertClose } from '../support/tolerance';
import { tempDir } from '../support/train-data';

const CLI = join(__dirname, '..', '..', 'extension', 'core', 'cli', 'main.js');
const seqlab = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, SEQLAB_DEBUG: '' } });
const IDS = join(HF_FIXTURE_DIR, 'input_ids.json');

function floats(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function close(got: Float32Array, ref: Float32Array, what: string): void {
  const r = assertClose(got, ref, TOLERANCE.logitsCpu, what);
  console.log(`${what}: max abs err ${r.maxAbs.toExponential(3)}, mean ${r.meanAbs.toExponential(3)}`);
}

describe('seqlab export-onnx', () => {
  it('writes both modes, keeps an existing file without --force and writes nothing else', () => {
    const dir = tempDir('onnx-export');
    const full = join(dir, 'full.onnx'),
      step = join(dir, 'step.onnx');
    let r = seqlab('export-onnx', '--model', HF_FIXTURE_DIR, '--out', full);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^full-mode ONNX \(opset 17\) .*2 layers, d_model 64, vocab 16/);
    r = seqlab('export-onnx', '--model', HF_FIXTURE_DIR, '--out', step, '--mode', 'step');
    assert.equal(r.status, 0, r.stderr);
    const stepBytes = readFileSync(step);
    assert.deepEqual(readdirSync(dir).sort(), ['full.onnx', 'step.onnx']);

    r = seqlab('export-onnx', '--model', HF_FIXTURE_DIR, '--out', step);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), `seqlab: ${step} exists; --force replaces it`);
    assert.deepEqual(readFileSync(step), stepBytes, 'an existing file is left as it was');
    r = seqlab('export-onnx', '--model', HF_FIXTURE_DIR, '--out', step, '--force');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(step), readFileSync(full), '--force replaced it with the full-mode export');
    assert.deepEqual(readdirSync(dir).sort(), ['full.onnx', 'step.onnx']);
  });

  it('names the file it cannot read in a model folder, and writes nothing', () => {
    const dir = tempDir('onnx-export-bad');
    const model = join(dir, 'model');
    mkdirSync(model);
    let r = seqlab('export-onnx', '--model', model, '--out', join(dir, 'm.onnx'));
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), `seqlab: ${join(model, 'config.json')}: no such file`);
    writeFileSync(join(model, 'config.json'), readFileSync(join(HF_FIXTURE_DIR, 'config.json')));
    writeFileSync(join(model, 'model.safetensors'), 'not safetensors');
    r = seqlab('export-onnx', '--model', model, '--out', join(dir, 'm.onnx'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^seqlab: ${join(model, 'model.safetensors')}`));
    r = seqlab('export-onnx', '--model', HF_FIXTURE_DIR, '--out', join(dir, 'm.onnx'), '--mode', 'scan');
    assert.equal(r.stderr.trim(), 'seqlab: --mode must be full or step, got "scan"');
    assert.deepEqual(readdirSync(dir), ['model']);
  });
});

describe('--backend onnx', () => {
  const dir = tempDir('onnx-backend');

  it('logits from the model folder and from an exported file equal the CPU backend', () => {
    const cpu = join(dir, 'cpu.bin');
    assert.equal(seqlab('logits', '--model', HF_FIXTURE_DIR, '--ids', IDS, '--out', cpu).status, 0);
    const fromDir = join(dir, 'dir.bin');
    let r = seqlab('logits', '--model', HF_FIXTURE_DIR, '--ids', IDS, '--out', fromDir, '--backend', 'onnx');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /backend onnx: .* exported in memory \(full mode\) on onnxruntime-web wasm, 1 thread/);
    close(floats(fromDir), floats(cpu), 'CLI logits, onnx from the folder vs cpu');
    const file = join(dir, 'step.onnx');
    assert.equal(seqlab('export-onnx', '--model', HF_FIXTURE_DIR, '--out', file, '--mode', 'step').status, 0);
    const fromFile = join(dir, 'file.bin');
    r = seqlab('logits', '--model', file, '--ids', IDS, '--out', fromFile, '--backend', 'onnx', '--threads', '2');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\(step mode\) on onnxruntime-web wasm, 2 threads/);
    close(floats(fromFile), floats(cpu), 'CLI logits, onnx from a step-mode file (2 threads) vs cpu');
  });

  it("generate gives the fixture's greedy tokens; a full-mode file is refused", () => {
    const fx = fixtureJson<{ prefix_input_ids: number[][]; new_tokens: number[][] }>('generate.json');
    const prompt = join(dir, 'prompt.json');
    writeFileSync(prompt, JSON.stringify(fx.prefix_input_ids));
    const n = String(fx.new_tokens[0].length);
    let r = seqlab('generate', '--model', HF_FIXTURE_DIR, '--ids', prompt, '--tokens', n, '--backend', 'onnx');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), fx.new_tokens);
    const full = join(dir, 'full.onnx');
    assert.equal(seqlab('export-onnx', '--model', HF_FIXTURE_DIR, '--out', full).status, 0);
    r = seqlab('generate', '--model', full, '--ids', prompt, '--tokens', n, '--backend', 'onnx');
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^seqlab: ${full}: a full-mode export .* --mode step`));
  });

  it('eval scores the same bits per base as the CPU backend', () => {
    const genome = realFile(REAL.lambdaGenome);
    const run = (...extra: string[]) => {
      const r = seqlab('eval', '--data', genome, '--range', '98%-100%', '--no-baseline', '--json', ...extra);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { scored: number; bitsPerToken: number };
    };
    const cpu = run('--model', HF_FIXTURE_DIR);
    const onnxRun = run('--model', HF_FIXTURE_DIR, '--backend', 'onnx');
    const file = join(dir, 'eval-step.onnx');
    assert.equal(seqlab('export-onnx', '--model', HF_FIXTURE_DIR, '--out', file, '--mode', 'step').status, 0);
    const fromFile = run('--model', file, '--backend', 'onnx');
    assert.equal(onnxRun.scored, cpu.scored);
    console.log(
      `eval bits/base: cpu ${cpu.bitsPerToken}, onnx ${onnxRun.bitsPerToken}, onnx file ${fromFile.bitsPerToken}`,
    );
    assert.ok(
      Math.abs(onnxRun.bitsPerToken - cpu.bitsPerToken) < 1e-5,
      `${onnxRun.bitsPerToken} vs ${cpu.bitsPerToken}`,
    );
    assert.equal(fromFile.bitsPerToken, onnxRun.bitsPerToken);
    const r = seqlab('eval', '--model', file, '--data', genome, '--range', '98%-100%');
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), `seqlab: ${file} is a file: an .onnx model runs with --backend onnx`);
  });

  it('refuses an ONNX file that is not a SeqLab export, naming it, in every command', () => {
    const g = new GraphBuilder();
    g.op('Identity', ['input_ids'], {}, ['logits']);
    const other = join(dir, 'other.onnx');
    writeFileSync(
      other,
      onnx.ModelProto.encode({
        irVersion: 8,
        producerName: 'pytorch',
        opsetImport: [{ domain: '', version: 17 }],
        graph: g.graph('identity', [valueInfo('input_ids', 'int64', ['b', 'l'])], [valueInfo('logits', 'int64')]),
      }).finish(),
    );
    const genome = realFile(REAL.lambdaGenome);
    for (const args of [
      ['logits', '--ids', IDS, '--out', join(dir, 'x.bin')],
      ['generate', '--ids', IDS, '--tokens', '2'],
      ['eval', '--data', genome, '--range', '99%-100%'],
    ]) {
      const r = seqlab(...args, '--model', other, '--backend', 'onnx');
      assert.equal(r.status, 1, args[0]);
      assert.match(r.stderr, new RegExp(`^seqlab: ${other}: not a Mamba SeqLab ONNX export .*"pytorch"`), args[0]);
    }
    assert.deepEqual(readdirSync(dir).includes('x.bin'), false);
  });
});
