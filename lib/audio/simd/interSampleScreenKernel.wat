;; The x4 inter-sample screen of the true-peak limiter (lib/audio/limiter.ts scanInterSample), two frames at a time:
;; for each frame of a block that is not skipped, the 4 central taps of phases 1-3 of the x4 interpolator, and the frame
;; becomes a candidate when any phase's |core| exceeds that phase's limit for the block. The exact evaluation of the
;; candidates (all 49 taps) stays in the TypeScript, as do the limits: |core| + tail * local bounds the interpolated
;; value, so a frame passed over here cannot hold a value above the block's threshold.
;;
;; The cores are float64, each (k0·x0 + k1·x1) + k2·x2 + k3·x3 in that order, as the scalar screen computes them; the
;; lanes are frames i and i + 1 of one channel.
;;
;; Memory (bytes): the 12 central taps (phase 1 taps 0-3, phase 2, phase 3) as f64 at 0; per block b, the limits of
;; phases 1-3 as f64 at 128 + 24·b (an infinite first limit skips the block); the channel's samples as f64 from 8192,
;; where sample j is the first central tap of frame j (frames + 4 samples are read); the candidates' frame indices as
;; i32 from 81920, in increasing order. Up to 256 blocks of 32 frames per call.
;; Built by scripts/buildWasm.mjs.
(module
  (memory (export "memory") 2)
  (global (export "taps") i32 (i32.const 0))
  (global (export "limits") i32 (i32.const 128))
  (global (export "samples") i32 (i32.const 8192))
  (global (export "candidates") i32 (i32.const 81920))
  (global (export "maxBlocks") i32 (i32.const 256))
  (global (export "blockFrames") i32 (i32.const 32))

  ;; Frames [0, frames) in blocks of 32 ([0, blocks) of them); returns the number of candidates written.
  (func (export "screen") (param $blocks i32) (param $frames i32) (result i32)
    (local $b i32) (local $i i32) (local $end i32) (local $count i32) (local $lim i32) (local $p i32) (local $bits i32)
    (local $k10 v128) (local $k11 v128) (local $k12 v128) (local $k13 v128)
    (local $k20 v128) (local $k21 v128) (local $k22 v128) (local $k23 v128)
    (local $k30 v128) (local $k31 v128) (local $k32 v128) (local $k33 v128)
    (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $m v128)
    (local $first f64)
    (local.set $k10 (f64x2.splat (f64.load (i32.const 0))))
    (local.set $k11 (f64x2.splat (f64.load (i32.const 8))))
    (local.set $k12 (f64x2.splat (f64.load (i32.const 16))))
    (local.set $k13 (f64x2.splat (f64.load (i32.const 24))))
    (local.set $k20 (f64x2.splat (f64.load (i32.const 32))))
    (local.set $k21 (f64x2.splat (f64.load (i32.const 40))))
    (local.set $k22 (f64x2.splat (f64.load (i32.const 48))))
    (local.set $k23 (f64x2.splat (f64.load (i32.const 56))))
    (local.set $k30 (f64x2.splat (f64.load (i32.const 64))))
    (local.set $k31 (f64x2.splat (f64.load (i32.const 72))))
    (local.set $k32 (f64x2.splat (f64.load (i32.const 80))))
    (local.set $k33 (f64x2.splat (f64.load (i32.const 88))))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $b) (local.get $blocks)))
        (local.set $lim (i32.add (i32.const 128) (i32.mul (local.get $b) (i32.const 24))))
        (local.set $first (f64.load (local.get $lim)))
        (if (f64.ne (local.get $first) (f64.const inf))
          (then
            (local.set $l1 (f64x2.splat (local.get $first)))
            (local.set $l2 (f64x2.splat (f64.load offset=8 (local.get $lim))))
            (local.set $l3 (f64x2.splat (f64.load offset=16 (local.get $lim))))
            (local.set $i (i32.shl (local.get $b) (i32.const 5)))
            (local.set $end (i32.add (local.get $i) (i32.const 32)))
            (if (i32.gt_u (local.get $end) (local.get $frames)) (then (local.set $end (local.get $frames))))
            (block $pairsDone
              (loop $pair
                (br_if $pairsDone (i32.ge_u (local.get $i) (local.get $end)))
                (local.set $p (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 3))))
                (local.set $x0 (v128.load (local.get $p)))
                (local.set $x1 (v128.load offset=8 (local.get $p)))
                (local.set $x2 (v128.load offset=16 (local.get $p)))
                (local.set $x3 (v128.load offset=24 (local.get $p)))
                (local.set $m
                  (f64x2.gt
                    (f64x2.abs
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add (f64x2.mul (local.get $k10) (local.get $x0)) (f64x2.mul (local.get $k11) (local.get $x1)))
                          (f64x2.mul (local.get $k12) (local.get $x2)))
                        (f64x2.mul (local.get $k13) (local.get $x3))))
                    (local.get $l1)))
                (local.set $m
                  (v128.or (local.get $m)
                    (f64x2.gt
                      (f64x2.abs
                        (f64x2.add
                          (f64x2.add
                            (f64x2.add (f64x2.mul (local.get $k20) (local.get $x0)) (f64x2.mul (local.get $k21) (local.get $x1)))
                            (f64x2.mul (local.get $k22) (local.get $x2)))
                          (f64x2.mul (local.get $k23) (local.get $x3))))
                      (local.get $l2))))
                (local.set $m
                  (v128.or (local.get $m)
                    (f64x2.gt
                      (f64x2.abs
                        (f64x2.add
                          (f64x2.add
                            (f64x2.add (f64x2.mul (local.get $k30) (local.get $x0)) (f64x2.mul (local.get $k31) (local.get $x1)))
                            (f64x2.mul (local.get $k32) (local.get $x2)))
                          (f64x2.mul (local.get $k33) (local.get $x3))))
                      (local.get $l3))))
                (if (v128.any_true (local.get $m))
                  (then
                    (local.set $bits (i64x2.bitmask (local.get $m)))
                    (if (i32.and (local.get $bits) (i32.const 1))
                      (then
                        (i32.store (i32.add (i32.const 81920) (i32.shl (local.get $count) (i32.const 2))) (local.get $i))
                        (local.set $count (i32.add (local.get $count) (i32.const 1)))))
                    ;; the second lane is frame i + 1, which may lie past the block's end
                    (if (i32.and
                          (i32.ne (i32.and (local.get $bits) (i32.const 2)) (i32.const 0))
                          (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
                      (then
                        (i32.store (i32.add (i32.const 81920) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $i) (i32.const 1)))
                        (local.set $count (i32.add (local.get $count) (i32.const 1)))))))
                (local.set $i (i32.add (local.get $i) (i32.const 2)))
                (br $pair)))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $block)))
    (local.get $count))
)
