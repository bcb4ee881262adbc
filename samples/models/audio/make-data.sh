#!/usr/bin/env bash
# Makes the audio sample model's data: real speech from espeak-ng (several voices reading
# public-domain text) and real instrument recordings from fluidsynth with fluid-soundfont-gm
# (seeded MIDI pieces from make-midi.mjs), all as 16 kHz mono 16-bit WAV.
# Needs: apt-get install espeak-ng fluidsynth fluid-soundfont-gm sox
# Usage: bash make-data.sh OUT_DIR
set -euo pipefail
out=${1:?usage: make-data.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
text="It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness, \
it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, it was the season of Darkness, \
it was the spring of hope, it was the winter of despair, we had everything before us, we had nothing before us, \
we were all going direct to Heaven, we were all going direct the other way."
for voice in en en-us en+f3 en+m3; do
  espeak-ng -v "$voice" -s 150 -w "$out/tmp-$voice.wav" "$text"
  sox "$out/tmp-$voice.wav" -r 16000 -c 1 -b 16 "$out/speech-$voice.wav"
  rm "$out/tmp-$voice.wav"
done
for seed in 1 2; do
  node "$here/make-midi.mjs" "$out/music-$seed.mid" "$seed"
  fluidsynth -ni -g 0.8 -r 16000 -F "$out/tmp-music-$seed.wav" /usr/share/sounds/sf2/FluidR3_GM.sf2 "$out/music-$seed.mid" >/dev/null
  sox "$out/tmp-music-$seed.wav" -r 16000 -c 1 -b 16 "$out/music-$seed.wav"
  rm "$out/tmp-music-$seed.wav"
done
ls -l "$out"/*.wav
