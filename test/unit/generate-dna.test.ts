// DNA continuation of a `generate:` cell (extension/core/analysis/generate.ts) through the engine's job
// handling on the CPU backend: the lambda genome before base 1,011 is the prompt; the record must be
// the decoded tokens of the engine's generate() run here with the same seed, and the notes must count
// the sampled tokens that are not bases (the HF fixture model is untrained and samples them often).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, resolve } from 'node:path';
import { CpuBackend } from '../../kernels/cpu-backend';
import { generate } from '../../kernels/model/generate';
import { tokenBatch } from '../../kernels/model/token-ids';
import { uploadMambaModel } from '../../kernels/model/weights';
import { DnaTokenizer } from '../../extension/core/datasets/dna-tokenizer';
import { IndexedFasta } from '../../extension/core/datasets/fasta-index';
import { loadModelDir } from '../../extension/core/models/load-model';
import { parseCellSpec } from '../../extension/core/notebook/cell-spec';
import { generateFromSpec } from '../../extension/core/analysis/generate';
import { readModelSource } from '../../extension/core/analysis/model-source';
import { UNTRAINED_NOTE, type RunContext } from '../../extension/core/analysis/run-context';
import type { GenerationSummary } from '../../protocol/notebook-output';
import { generationLine } from '../../webview/components/summary-text';
import { HF_FIXTURE_DIR } from '../support/hf-fixture';
import { inProcessEngine } from '../support/in-process-engine';
import { REAL, realFile } from '../support/real-data';

test('DNA continuation: the engine-sampled tokens decoded as a record; specials and non-ACGT bases are counted in notes', async () => {
  const lambda = realFile(REAL.lambdaGenome);
  const engine = inProcessEngine();
  try {
    const ctx: RunContext = {
      runId: 'gen-dna',
      signal: new AbortController().signal,
      resolveFile: async (p) => resolve(p),
      shownPath: (p) => basename(p),
      model: async () => ({ source: await readModelSource(HF_FIXTURE_DIR), shownPath: 'hf-mamba-dna' }),
      engine: async () => engine.client,
      backend: () => 'cpu',
      show: () => undefined,
    };
    const { summary, blocks } = await generateFromSpec(
      parseCellSpec(`generate: ${lambda}\nfrom: 1011\nlength: 300\nseed: 4\n`),
      ctx,
    );
    const g = summary as GenerationSummary;
    assert.deepEqual(
      [g.kind, g.position, g.steps, g.name],
      ['dna-generation', 1011, 300, 'gi|9626243|ref|NC_001416.1|_continued_from_1011'],
    );

    const tokenizer = DnaTokenizer.default();
    const fasta = await IndexedFasta.open(lambda);
    const prompt = tokenizer.encode(await fasta.readBases(0, 0, 1011));
    await fasta.close();
    const loaded = await loadModelDir(HF_FIXTURE_DIR);
    const backend = new CpuBackend();
    const ref = await generate(
      backend,
      uploadMambaModel(backend, loaded.config, loaded.params),
      tokenBatch([prompt], loaded.config.vocabSize, 'prompt'),
      { tokens: 300, temperature: 1, topK: 0, seed: 4 },
    );
    backend.dispose();
    const want = tokenizer.decode(ref.tokens[0]);
    assert.equal(new TextDecoder().decode(blocks.get('sequence')), want);

    const specials = 300 - want.length,
      other = want.replace(/[ACGT]/g, '').length;
    assert.ok(specials > 0 && other > 0, 'the untrained model samples both kinds (the notes below are exercised)');
    assert.deepEqual(g.notes, [
      UNTRAINED_NOTE,
      `${specials} of 300 sampled tokens were special tokens (no base) and are left out`,
      `${other} of the ${want.length} generated bases are N, ambiguity codes or gaps`,
    ]);
    assert.deepEqual(
      summary.tracks.map((t) => [t.kind, t.length]),
      [['sequence', want.length]],
    );
    assert.equal(
      generationLine(g),
      `generated ${want.length} bases (300 requested) after position 1,011 of record 1: temperature 1, top-k all, seed 4`,
      'the summary counts the bases that came out, not the tokens asked for',
    );
  } finally {
    engine.dispose();
  }
});

test('a cell that continues DNA refuses an audio model, and says when no model is set up', async () => {
  const lambda = realFile(REAL.lambdaGenome);
  const audioModel = resolve(__dirname, '../../../samples/models/audio-speech-music');
  const ctx = (model: RunContext['model']): RunContext => ({
    runId: 'gen-dna-refused',
    signal: new AbortController().signal,
    resolveFile: async (p) => resolve(p),
    shownPath: (p) => basename(p),
    model,
    engine: async () => {
      throw new Error('the engine must not start');
    },
    backend: () => 'cpu',
    show: () => undefined,
  });
  const spec = parseCellSpec(`generate: ${lambda}\nlength: 10\n`);
  await assert.rejects(
    generateFromSpec(
      spec,
      ctx(async () => ({ source: await readModelSource(audioModel), shownPath: 'audio-speech-music' })),
    ),
    /^Error: audio-speech-music is a model of audio; this cell continues DNA$/,
  );
  await assert.rejects(
    generateFromSpec(
      spec,
      ctx(async () => undefined),
    ),
    /no DNA model is set up \(seqlab\.defaultDnaModel/,
  );
});
