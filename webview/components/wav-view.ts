// The WAV view: wavesurfer.js 8 with its minimap, timeline, zoom (wheel), regions and
// spectrogram plugins, the model's per-sample surprisal drawn in a strip under the waveform
// (kept in step with zoom and scroll), and the unusual-audio regions marked; a click on a
// region plays it. Audio arrives as float samples and plays from a Blob URL (no file access).
import WaveSurfer from 'wavesurfer.js';
import MinimapPlugin from 'wavesurfer.js/dist/plugins/minimap.js';
import RegionsPlugin from 'wavesurfer.js/dist/plugins/regions.js';
import SpectrogramPlugin from 'wavesurfer.js/dist/plugins/spectrogram.js';
import TimelinePlugin from 'wavesurfer.js/dist/plugins/timeline.js';
import ZoomPlugin from 'wavesurfer.js/dist/plugins/zoom.js';
import { plotSummaries } from './series-plot';
import { readTheme, watchTheme, type ThemeColors } from './theme';
import { surprisalAxisTop } from './track-layout';
import type { WavViewInput } from './view-inputs';
import { encodeWav16 } from './wav-encode';

export interface WavViewOptions {
  /** The page's CSP nonce, for the styles wavesurfer and its minimap insert. */
  nonce?: string;
  /** Called with a sample position when the user clicks the waveform (for Generate). */
  onPick?: (position: number) => void;
}

/** A mu-law sample has 256 levels: guessing uniformly costs 8 bits. */
const UNIFORM_BITS = 8;
const STRIP_HEIGHT = 56;
/** The spectrogram plugin draws height/256*5 label steps: 256 px gives five whole steps, so the top label is Nyquist. */
const SPECTROGRAM_HEIGHT = 256;

/** The view's elements: the waveform, the surprisal strip under it (shown when there is one), the spectrogram. */
function layout(hasSurprisal: boolean): {
  element: HTMLDivElement;
  wave: HTMLDivElement;
  strip: HTMLCanvasElement;
  spectrogram: HTMLDivElement;
} {
  const element = document.createElement('div');
  element.className = 'seqlab-wav';
  const wave = document.createElement('div');
  wave.className = 'seqlab-wav-wave';
  const strip = document.createElement('canvas');
  strip.className = 'seqlab-wav-surprisal';
  strip.setAttribute('role', 'img');
  strip.setAttribute('aria-label', 'surprisal per sample (bits) for the visible audio');
  Object.assign(strip.style, { display: hasSurprisal ? 'block' : 'none', width: '100%', height: `${STRIP_HEIGHT}px` });
  const spectrogram = document.createElement('div');
  spectrogram.className = 'seqlab-wav-spectrogram';
  element.append(wave, strip, spectrogram);
  return { element, wave, strip, spectrogram };
}

export class WavView {
  readonly element: HTMLDivElement;
  readonly ready: Promise<void>;
  private readonly ws: WaveSurfer;
  private readonly regions = RegionsPlugin.create();
  private readonly strip: HTMLCanvasElement;
  private readonly url: string;
  private theme: ThemeColors;
  private readonly stopTheme: () => void;

  constructor(
    parent: HTMLElement,
    private readonly input: WavViewInput,
    options: WavViewOptions = {},
  ) {
    this.theme = readTheme();
    const { element, wave, strip, spectrogram } = layout(input.surprisal !== null);
    this.element = element;
    this.strip = strip;
    parent.append(this.element);

    this.url = URL.createObjectURL(new Blob([encodeWav16(input.samples, input.sampleRate)], { type: 'audio/wav' }));
    this.ws = this.createWaveSurfer(wave, spectrogram, options.nonce);
    this.ready = new Promise((resolve, reject) => {
      this.ws.once('ready', () => {
        this.addRegions();
        this.drawStrip();
        resolve();
      });
      this.ws.once('error', (e) => reject(e));
    });
    for (const event of ['scroll', 'zoom', 'redrawcomplete', 'resize'] as const)
      this.ws.on(event, () => this.drawStrip());
    this.ws.on('interaction', (t) => options.onPick?.(this.positionOf(t)));
    this.regions.on('region-clicked', (region, e) => {
      e.stopPropagation();
      region.play(true);
    });
    this.stopTheme = watchTheme(() => {
      this.theme = readTheme();
      this.ws.setOptions(this.waveColors());
      this.drawStrip();
    });
    void this.ws.load(this.url);
  }

  private createWaveSurfer(wave: HTMLElement, spectrogram: HTMLElement, nonce: string | undefined): WaveSurfer {
    const colors = this.waveColors();
    return WaveSurfer.create({
      container: wave,
      height: 96,
      ...colors,
      cspNonce: nonce,
      sampleRate: this.input.sampleRate,
      normalize: true,
      dragToSeek: true,
      autoCenter: false,
      plugins: [
        MinimapPlugin.create({
          height: 22,
          waveColor: colors.waveColor,
          progressColor: colors.progressColor,
          cspNonce: nonce,
        }),
        TimelinePlugin.create({ style: { color: this.theme.muted } }),
        ZoomPlugin.create({ scale: 0.3, maxZoom: Math.max(200, this.input.sampleRate / 4) }),
        this.regions,
        SpectrogramPlugin.create({
          // A linear axis from 0 to the Nyquist frequency of the audio shown (the model's rate), so evenly spaced labels read true.
          container: spectrogram,
          labels: true,
          height: SPECTROGRAM_HEIGHT,
          fftSamples: 512,
          useWebWorker: true,
          fallbackToMainThread: true,
          scale: 'linear',
          frequencyMin: 0,
          frequencyMax: this.input.sampleRate / 2,
          labelsColor: this.theme.muted,
          labelsBackground: 'transparent',
        }),
      ],
    });
  }

  private waveColors(): { waveColor: string; progressColor: string; cursorColor: string } {
    return { waveColor: this.theme.surprisal, progressColor: this.theme.muted, cursorColor: this.theme.focus };
  }

  /** File position (samples at sampleRate) of waveform time t (seconds). */
  positionOf(t: number): number {
    return this.input.start + Math.round(t * this.input.sampleRate);
  }

  get duration(): number {
    return this.ws.getDuration();
  }

  /** The visible part of the waveform in seconds. */
  visibleSeconds(): [number, number] {
    const total = this.ws.getWrapper().scrollWidth || 1,
      scroll = this.ws.getScroll(),
      w = this.ws.getWidth();
    const d = this.ws.getDuration();
    return [(scroll / total) * d, Math.min(d, ((scroll + w) / total) * d)];
  }

  /** The visible samples as file positions [start, end). */
  visiblePositions(): { start: number; end: number } {
    const [t0, t1] = this.visibleSeconds();
    return { start: this.positionOf(t0), end: Math.max(this.positionOf(t0) + 1, this.positionOf(t1)) };
  }

  /** Zooms by `factor` (> 1 zooms in) from the current pixels per second. */
  zoomBy(factor: number): void {
    const current = this.ws.options.minPxPerSec || this.ws.getWidth() / Math.max(1e-9, this.ws.getDuration());
    this.ws.zoom(Math.max(1, current * factor));
  }

  playPause(): Promise<void> {
    return this.ws.playPause();
  }

  regionCount(): number {
    return this.regions.getRegions().length;
  }

  private addRegions(): void {
    const { start, sampleRate } = this.input;
    for (const set of this.input.intervals) {
      if (set.kind !== 'unusual-audio') continue;
      set.starts.forEach((s, i) => {
        const score = set.scores[i];
        this.regions.addRegion({
          start: (s - start) / sampleRate,
          end: (set.ends[i] - start) / sampleRate,
          drag: false,
          resize: false,
          color: 'rgba(241, 76, 76, 0.22)', // charts.red at low alpha: reads over the waveform in every theme
          content: Number.isFinite(score) ? `unusual ${i + 1} · ${score.toFixed(2)} bits` : `unusual ${i + 1}`,
        });
      });
    }
  }

  private drawStrip(): void {
    const track = this.input.surprisal;
    if (!track) return;
    const dpr = window.devicePixelRatio || 1;
    const cssW = Math.max(1, this.strip.clientWidth);
    this.strip.width = Math.round(cssW * dpr);
    this.strip.height = Math.round(STRIP_HEIGHT * dpr);
    const ctx = this.strip.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = this.theme.background;
    ctx.fillRect(0, 0, cssW, STRIP_HEIGHT);
    const visible = this.visiblePositions();
    const seen = track.over(visible.start, visible.end);
    const top = surprisalAxisTop(seen.count ? seen.max : null, UNIFORM_BITS);
    const columns = Math.max(1, Math.floor(cssW));
    plotSummaries(
      ctx,
      track.pixelBins(visible, columns),
      { x: 0, y: 0, width: cssW, height: STRIP_HEIGHT },
      { color: this.theme.surprisalReverse, guideColor: this.theme.border, lo: 0, hi: top, guide: UNIFORM_BITS },
    );
    ctx.fillStyle = this.theme.muted;
    ctx.font = this.theme.font;
    ctx.textBaseline = 'top';
    ctx.fillText(`surprisal, bits/sample (0–${top}; dashed: ${UNIFORM_BITS} bits = uniform)`, 4, 2);
  }

  destroy(): void {
    this.stopTheme();
    this.ws.destroy();
    URL.revokeObjectURL(this.url);
    this.element.remove();
  }
}
