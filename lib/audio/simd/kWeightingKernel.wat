;; K-weighting of a stereo pair (lib/audio/loudness.ts, filter in kWeighting.ts), left and right in the two lanes of
;; float64x2: the shelf then the high-pass, direct form I, and the sum of squares of the output per segment. The
;; arithmetic is the scalar KWeightingChannel.filterSumSquares's, operation for operation (no fused multiply-add), so
;; the energies are bit-identical; as there, the recursive state is flushed to zero below 1e-30 after each segment.
;;
;; Segments are the meter's sub-blocks, never cut at the kernel's piece boundaries (a segment open at the end of a
;; piece carries on into the next, and the meter carries it on into its next call).
;;
;; Memory (bytes): state at 0 (six f64x2: x1 x2 m1 m2 y1 y2, lanes L R), coefficients at 96 (f64: sb0 sb1 sb2 sa1 sa2
;; ha1 ha2), the open segment's sum at 160 (f64x2) and its frames still to come at 176 (i32), left samples (f32) at
;; 256, right at 65792, 16384 frames each; closed segments' sums (f64 pairs L R) from 131328, up to 16384 of them;
;; float64 samples (a render's working audio, metered at its full precision as the scalar filters do) left at 393472,
;; right at 524544, 16384 frames each.
;; run(frames, open, step, wide): the open segment takes `open` more frames, later ones `step`; `wide` (1) reads the
;; float64 samples instead of the float32 ones, and `wide` 2 reads them rounded to float32 (what metering a float32
;; copy of them gives, without the copy). Returns how many segments closed. Built by scripts/buildWasm.mjs.
(module
  (memory (export "memory") 11)

  (func $flush (param $v v128) (result v128)
    (v128.andnot (local.get $v) (f64x2.lt (f64x2.abs (local.get $v)) (v128.const f64x2 1e-30 1e-30))))

  (func (export "run") (param $frames i32) (param $open i32) (param $step i32) (param $wide i32) (result i32)
    (local $i i32) (local $segEnd i32) (local $count i32) (local $pl i32) (local $pr i32) (local $out i32) (local $stride i32) (local $round i32)
    (local $sb0 v128) (local $sb1 v128) (local $sb2 v128) (local $sa1 v128) (local $sa2 v128) (local $ha1 v128) (local $ha2 v128)
    (local $x v128) (local $x1 v128) (local $x2 v128) (local $m v128) (local $m1 v128) (local $m2 v128)
    (local $y v128) (local $y1 v128) (local $y2 v128) (local $sum v128)
    (local.set $sb0 (f64x2.splat (f64.load offset=96 (i32.const 0))))
    (local.set $sb1 (f64x2.splat (f64.load offset=104 (i32.const 0))))
    (local.set $sb2 (f64x2.splat (f64.load offset=112 (i32.const 0))))
    (local.set $sa1 (f64x2.splat (f64.load offset=120 (i32.const 0))))
    (local.set $sa2 (f64x2.splat (f64.load offset=128 (i32.const 0))))
    (local.set $ha1 (f64x2.splat (f64.load offset=136 (i32.const 0))))
    (local.set $ha2 (f64x2.splat (f64.load offset=144 (i32.const 0))))
    (local.set $x1 (v128.load offset=0 (i32.const 0)))
    (local.set $x2 (v128.load offset=16 (i32.const 0)))
    (local.set $m1 (v128.load offset=32 (i32.const 0)))
    (local.set $m2 (v128.load offset=48 (i32.const 0)))
    (local.set $y1 (v128.load offset=64 (i32.const 0)))
    (local.set $y2 (v128.load offset=80 (i32.const 0)))
    (local.set $pl (select (i32.const 393472) (i32.const 256) (local.get $wide)))
    (local.set $pr (select (i32.const 524544) (i32.const 65792) (local.get $wide)))
    (local.set $stride (select (i32.const 8) (i32.const 4) (local.get $wide)))
    (local.set $round (i32.eq (local.get $wide) (i32.const 2)))
    (local.set $out (i32.const 131328))
    (local.set $sum (v128.load offset=160 (i32.const 0)))
    (local.set $segEnd (local.get $open))
    (block $done
      (loop $frame
        (br_if $done (i32.ge_u (local.get $i) (local.get $frames)))
        (local.set $x (if (result v128) (local.get $wide)
          (then (f64x2.replace_lane 1
            (f64x2.splat (f64.load (local.get $pl)))
            (f64.load (local.get $pr))))
          (else (f64x2.replace_lane 1
            (f64x2.splat (f64.promote_f32 (f32.load (local.get $pl))))
            (f64.promote_f32 (f32.load (local.get $pr)))))))
        (if (local.get $round) (then (local.set $x (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (local.get $x))))))
        ;; m = sb0·x + sb1·x1 + sb2·x2 - sa1·m1 - sa2·m2, left to right
        (local.set $m (f64x2.sub (f64x2.sub (f64x2.add (f64x2.add
          (f64x2.mul (local.get $sb0) (local.get $x))
          (f64x2.mul (local.get $sb1) (local.get $x1)))
          (f64x2.mul (local.get $sb2) (local.get $x2)))
          (f64x2.mul (local.get $sa1) (local.get $m1)))
          (f64x2.mul (local.get $sa2) (local.get $m2))))
        ;; y = m - 2·m1 + m2 - ha1·y1 - ha2·y2, left to right
        (local.set $y (f64x2.sub (f64x2.sub (f64x2.add
          (f64x2.sub (local.get $m) (f64x2.mul (v128.const f64x2 2 2) (local.get $m1)))
          (local.get $m2))
          (f64x2.mul (local.get $ha1) (local.get $y1)))
          (f64x2.mul (local.get $ha2) (local.get $y2))))
        (local.set $x2 (local.get $x1))
        (local.set $x1 (local.get $x))
        (local.set $m2 (local.get $m1))
        (local.set $m1 (local.get $m))
        (local.set $y2 (local.get $y1))
        (local.set $y1 (local.get $y))
        (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $y) (local.get $y))))
        (local.set $pl (i32.add (local.get $pl) (local.get $stride)))
        (local.set $pr (i32.add (local.get $pr) (local.get $stride)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.eq (local.get $i) (local.get $segEnd))
          (then
            (v128.store (local.get $out) (local.get $sum))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (local.set $sum (v128.const f64x2 0 0))
            (local.set $m1 (call $flush (local.get $m1)))
            (local.set $m2 (call $flush (local.get $m2)))
            (local.set $y1 (call $flush (local.get $y1)))
            (local.set $y2 (call $flush (local.get $y2)))
            (local.set $segEnd (i32.add (local.get $i) (local.get $step)))))
        (br $frame)))
    (v128.store offset=160 (i32.const 0) (local.get $sum))
    (i32.store offset=176 (i32.const 0) (i32.sub (local.get $segEnd) (local.get $frames)))
    (v128.store offset=0 (i32.const 0) (local.get $x1))
    (v128.store offset=16 (i32.const 0) (local.get $x2))
    (v128.store offset=32 (i32.const 0) (local.get $m1))
    (v128.store offset=48 (i32.const 0) (local.get $m2))
    (v128.store offset=64 (i32.const 0) (local.get $y1))
    (v128.store offset=80 (i32.const 0) (local.get $y2))
    (local.get $count))
)
