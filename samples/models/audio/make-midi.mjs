// Writes a seeded General MIDI piece for the audio sample model's music set: piano melody over
// string chords, a plucked bass and a nylon-guitar arpeggio, in a few keys and tempi, so
// fluidsynth renders real instrument samples from fluid-soundfont-gm.
// Usage: node make-midi.mjs OUT.mid SEED
import { writeFileSync } from 'node:fs';

const [out, seedText] = process.argv.slice(2);
if (!out) { console.error('usage: node make-midi.mjs OUT.mid SEED'); process.exit(2); }
let s = Number(seedText ?? 1) >>> 0;
const rand = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);

const varLen = (n) => { const b = [n & 0x7f]; while ((n >>= 7)) b.unshift((n & 0x7f) | 0x80); return b; };
const TPQ = 480;
function track(events) { // events: [tick, bytes[]], sorted by tick
  events.sort((a, b) => a[0] - b[0]);
  const data = []; let last = 0;
  for (const [t, bytes] of events) { data.push(...varLen(t - last), ...bytes); last = t; }
  data.push(0, 0xff, 0x2f, 0);
  return [0x4d, 0x54, 0x72, 0x6b, data.length >>> 24, (data.length >> 16) & 255, (data.length >> 8) & 255, data.length & 255, ...data];
}
const note = (ev, ch, t, dur, key, vel) => { ev.push([t, [0x90 | ch, key, vel]], [t + dur, [0x80 | ch, key, 0]]); };

const major = [0, 2, 4, 5, 7, 9, 11];
const tracks = [];
const tempo = [];
let t0 = 0;
const sections = 4;
const parts = { melody: [], chords: [], bass: [], guitar: [] };
const programs = { melody: [0, 0], chords: [1, 48], bass: [2, 33], guitar: [3, 24] }; // [channel, GM program]
for (let sec = 0; sec < sections; sec++) {
  const root = 48 + [0, 5, 7, 2][sec % 4] + Math.floor(rand() * 3);
  const bpm = 80 + Math.floor(rand() * 60);
  tempo.push([t0, [0xff, 0x51, 3, ...[(6e7 / bpm) >> 16, ((6e7 / bpm) >> 8) & 255, (6e7 / bpm) & 255].map(Math.floor)]]);
  const bars = 6;
  const progression = [0, 3, 4, 0, 5, 3, 4, 0];
  for (let bar = 0; bar < bars; bar++) {
    const deg = progression[bar % progression.length], start = t0 + bar * 4 * TPQ;
    const chord = [0, 2, 4].map((k) => root + 12 + major[(deg + k) % 7] + 12 * Math.floor((deg + k) / 7));
    for (const k of chord) note(parts.chords, 1, start, 4 * TPQ - 10, k, 50);
    note(parts.bass, 2, start, 2 * TPQ - 20, root - 12 + major[deg], 80);
    note(parts.bass, 2, start + 2 * TPQ, 2 * TPQ - 20, root - 12 + major[(deg + 4) % 7], 70);
    for (let e = 0; e < 8; e++) note(parts.guitar, 3, start + e * (TPQ / 2), TPQ / 2, chord[e % 3] + (e >= 4 ? 12 : 0), 55);
    let tick = 0;
    while (tick < 4 * TPQ) {
      const dur = [TPQ / 2, TPQ, TPQ, 2 * TPQ][Math.floor(rand() * 4)];
      const k = root + 24 + major[Math.floor(rand() * 7)];
      if (rand() > 0.15) note(parts.melody, 0, start + tick, Math.min(dur, 4 * TPQ - tick) - 10, k, 70 + Math.floor(rand() * 40));
      tick += dur;
    }
  }
  t0 += bars * 4 * TPQ;
}
tracks.push(track(tempo));
for (const [name, ev] of Object.entries(parts)) {
  const [ch, prog] = programs[name];
  tracks.push(track([[0, [0xc0 | ch, prog]], ...ev]));
}
const header = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 1, 0, tracks.length, TPQ >> 8, TPQ & 255];
writeFileSync(out, Uint8Array.from([...header, ...tracks.flat()]));
