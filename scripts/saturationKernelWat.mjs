#!/usr/bin/env node
// Writes lib/audio/simd/saturationKernel.wat: the saturator's x4 oversampling (two polyphase IIR half-band stages up,
// the soft clipper, two down; lib/audio/oversampler.ts and saturation.ts) with left and right in the two lanes of each
// f64x2. The cascades are unrolled, one pair of v128 locals per allpass section, which is tedious to write by hand and
// easy to generate. Run after changing the stages' coefficient counts, then `node scripts/buildWasm.mjs`; `--check`
// fails when the .wat is not what it would write (a test runs it).
//
// The operations and their order are those of the scalar kernels (oversampler.ts generateStageKernel, saturation.ts
// processSaturation); WebAssembly has no fused multiply-add, so the two lanes give bit-identical results.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Coefficient counts of oversampler.ts's two stages (designHalfBand(90, 0.0232) and designHalfBand(90, 0.13)).
// The module exports them, its block size and where things are in its memory as globals, so saturationKernel.ts
// takes the layout from the module itself, and keeps to the scalar code when the stages no longer match.
const STAGE1 = 9;
const STAGE2 = 5;
const LAYOUT = {
  coefficients1: 0, // STAGE1 f64
  coefficients2: 128, // STAGE2 f64
  state: { up1: 256, up2: 576, down2: 768, down1: 960 }, // per section x then y, each a v128 (L, R)
  frames: 2048, // BLOCK frames of (L, R) f64 pairs, in and out
  x2: 133120, // 2·BLOCK pairs
  x4: 395264, // 4·BLOCK pairs
  block: 8192,
  pages: 15,
};

function stage(name, count, coefficientsAt, direction) {
  const locals = [];
  for (let j = 0; j < count; j++) locals.push(`(local $x${j} v128) (local $y${j} v128) (local $c${j} v128)`);
  const lines = [];
  lines.push(`  ;; ${direction === 'up' ? 'x2 up: dst[2i], dst[2i+1] from src[i]' : 'x2 down: dst[i] from src[2i], src[2i+1]'} (${count} allpass sections)`);
  lines.push(`  (func $${name} (param $src i32) (param $dst i32) (param $count i32) (param $state i32)`);
  lines.push(`    (local $i i32) (local $e v128) (local $o v128) (local $t v128)`);
  lines.push(`    ${locals.join(' ')}`);
  for (let j = 0; j < count; j++) {
    lines.push(`    (local.set $c${j} (f64x2.splat (f64.load (i32.const ${coefficientsAt + 8 * j}))))`);
    lines.push(`    (local.set $x${j} (v128.load offset=${32 * j} (local.get $state)))`);
    lines.push(`    (local.set $y${j} (v128.load offset=${32 * j + 16} (local.get $state)))`);
  }
  lines.push(`    (block $done (loop $sample`);
  lines.push(`      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))`);
  if (direction === 'up') {
    lines.push(`      (local.set $e (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 4)))))`);
    lines.push(`      (local.set $o (local.get $e))`);
  } else {
    lines.push(`      (local.set $o (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 5)))))`);
    lines.push(`      (local.set $e (v128.load offset=16 (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 5)))))`);
  }
  for (let j = 0; j < count; j++) {
    const v = j % 2 === 0 ? '$e' : '$o';
    // t = (v - y) * c + x; x = v; y = t; v = t
    lines.push(`      (local.set $t (f64x2.add (f64x2.mul (f64x2.sub (local.get ${v}) (local.get $y${j})) (local.get $c${j})) (local.get $x${j})))`);
    lines.push(`      (local.set $x${j} (local.get ${v})) (local.set $y${j} (local.get $t)) (local.set ${v} (local.get $t))`);
  }
  if (direction === 'up') {
    lines.push(`      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 5))) (local.get $e))`);
    lines.push(`      (v128.store offset=16 (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 5))) (local.get $o))`);
  } else {
    lines.push(`      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 4)))`);
    lines.push(`        (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.add (local.get $e) (local.get $o))))`);
  }
  lines.push(`      (local.set $i (i32.add (local.get $i) (i32.const 1)))`);
  lines.push(`      (br $sample)))`);
  for (let j = 0; j < count; j++) {
    lines.push(`    (v128.store offset=${32 * j} (local.get $state) (local.get $x${j}))`);
    lines.push(`    (v128.store offset=${32 * j + 16} (local.get $state) (local.get $y${j}))`);
  }
  lines.push(`  )`);
  return lines.join('\n');
}

const saturate = `  ;; The soft clipper at the high rate, in place: x·drive clipped to ±1 beyond ±3, else the rational tanh; then
  ;; dry·x + (wet/drive)·d, as saturation.ts computes it.
  (func $saturate (param $ptr i32) (param $count i32) (param $drive f64) (param $dry f64) (param $wetInv f64)
    (local $end i32) (local $x v128) (local $d v128) (local $d2 v128) (local $r v128)
    (local $vDrive v128) (local $vDry v128) (local $vWetInv v128)
    (local.set $vDrive (f64x2.splat (local.get $drive)))
    (local.set $vDry (f64x2.splat (local.get $dry)))
    (local.set $vWetInv (f64x2.splat (local.get $wetInv)))
    (local.set $end (i32.add (local.get $ptr) (i32.shl (local.get $count) (i32.const 4))))
    (block $done (loop $pair
      (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
      (local.set $x (v128.load (local.get $ptr)))
      (local.set $d (f64x2.mul (local.get $x) (local.get $vDrive)))
      (local.set $d2 (f64x2.mul (local.get $d) (local.get $d)))
      (local.set $r (f64x2.div
        (f64x2.mul (local.get $d) (f64x2.add (v128.const f64x2 27 27) (local.get $d2)))
        (f64x2.add (v128.const f64x2 27 27) (f64x2.mul (v128.const f64x2 9 9) (local.get $d2)))))
      (local.set $r (v128.bitselect (v128.const f64x2 1 1) (local.get $r) (f64x2.ge (local.get $d) (v128.const f64x2 3 3))))
      (local.set $r (v128.bitselect (v128.const f64x2 -1 -1) (local.get $r) (f64x2.le (local.get $d) (v128.const f64x2 -3 -3))))
      (v128.store (local.get $ptr)
        (f64x2.add (f64x2.mul (local.get $vDry) (local.get $x)) (f64x2.mul (local.get $vWetInv) (local.get $r))))
      (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
      (br $pair)))
  )`;

const { state, frames, x2, x4 } = LAYOUT;
const wat = `;; Generated by scripts/saturationKernelWat.mjs: do not edit (edit the generator, run it, then scripts/buildWasm.mjs).
;; The saturator's x4 oversampling and soft clipper (lib/audio/saturation.ts, oversampler.ts) for two channels at once,
;; left and right in the lanes of each f64x2, bit-identical to the scalar kernels (same operations in the same order).
;;
;; Memory (bytes): stage-1 coefficients (${STAGE1} f64) at ${LAYOUT.coefficients1}, stage-2 (${STAGE2} f64) at ${LAYOUT.coefficients2};
;; section states (x then y per section, each v128) of up1 at ${state.up1}, up2 at ${state.up2}, down2 at ${state.down2}, down1 at ${state.down1};
;; the block's frames as (L, R) f64 pairs at ${frames} (read, then overwritten with the result), the x2 pairs at ${x2} and
;; the x4 pairs at ${x4}; up to ${LAYOUT.block} frames per call.
(module
  (memory (export "memory") ${LAYOUT.pages})
  (global (export "stage1Count") i32 (i32.const ${STAGE1}))
  (global (export "stage2Count") i32 (i32.const ${STAGE2}))
  (global (export "coefficients1") i32 (i32.const ${LAYOUT.coefficients1}))
  (global (export "coefficients2") i32 (i32.const ${LAYOUT.coefficients2}))
  (global (export "stateFrom") i32 (i32.const ${state.up1}))
  (global (export "stateTo") i32 (i32.const ${state.down1 + 32 * STAGE1}))
  (global (export "frames") i32 (i32.const ${frames}))
  (global (export "block") i32 (i32.const ${LAYOUT.block}))

${stage('up9', STAGE1, LAYOUT.coefficients1, 'up')}

${stage('up5', STAGE2, LAYOUT.coefficients2, 'up')}

${stage('down5', STAGE2, LAYOUT.coefficients2, 'down')}

${stage('down9', STAGE1, LAYOUT.coefficients1, 'down')}

${saturate}

  ;; One block: up x2, up x2, clip, down x2, down x2; the frames at ${frames} are replaced by the result.
  (func (export "process") (param $count i32) (param $drive f64) (param $dry f64) (param $wetInv f64)
    (call $up9 (i32.const ${frames}) (i32.const ${x2}) (local.get $count) (i32.const ${state.up1}))
    (call $up5 (i32.const ${x2}) (i32.const ${x4}) (i32.shl (local.get $count) (i32.const 1)) (i32.const ${state.up2}))
    (call $saturate (i32.const ${x4}) (i32.shl (local.get $count) (i32.const 2)) (local.get $drive) (local.get $dry) (local.get $wetInv))
    (call $down5 (i32.const ${x4}) (i32.const ${x2}) (i32.shl (local.get $count) (i32.const 1)) (i32.const ${state.down2}))
    (call $down9 (i32.const ${x2}) (i32.const ${frames}) (local.get $count) (i32.const ${state.down1}))
  )
)
`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = fileURLToPath(new URL('../lib/audio/simd/saturationKernel.wat', import.meta.url));
  if (process.argv.includes('--check')) {
    // A test runs this: the checked-in .wat must be what this generator writes.
    let current = '';
    try {
      current = readFileSync(out, 'utf8');
    } catch {}
    if (current !== wat) {
      process.stderr.write(`${out} is out of date: run node scripts/saturationKernelWat.mjs\n`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(out, wat);
    process.stdout.write(`wrote ${out}\n`);
  }
}
