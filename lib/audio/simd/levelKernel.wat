;; The level scan's per-sample work (lib/audio/levelScan.ts), four frames at a time: per 16-frame block of one or two
;; channels, the minimum and maximum sample, the largest |second difference| and the sum of samples, and the L·R, L²
;; and R² sums. Everything that carries across blocks (pixels, clipping runs, windows, the sample peak's position)
;; stays in the TypeScript, which copies each piece in and reads the per-block results out.
;;
;; Exactness: the differences and sums are float64, as in the scalar code (promote, then (x - 2·x1) + x2 in that order),
;; so the second-difference maxima are bit-identical; sums are grouped per block (lanes, then the two halves), the
;; same however a stream is cut into pieces. Min/max use pmin/pmax (b < a ? b : a) with the accumulator first, so a NaN
;; sample is passed over as the scalar comparisons pass it over.
;;
;; Memory (bytes): left samples from 16 (its two previous samples at 8 and 12), right samples from 65568 (previous at
;; 65560 and 65564), 16384 frames each; per block b, f32 [min L, max L, min R, max R] at 131120 + 16·b and
;; f64 [d2 L, d2 R, sum L, sum R, L·R, L², R²] at 147504 + 56·b; the mono copy decimated by 4 (decimate4) at 204848.
;; Built by scripts/buildWasm.mjs.
(module
  (memory (export "memory") 4)

  (func (export "scan") (param $blocks i32)
    (local $b i32) (local $k i32) (local $pl i32) (local $pr i32) (local $o32 i32) (local $o64 i32)
    (local $mnL v128) (local $mxL v128) (local $mnR v128) (local $mxR v128)
    (local $dL v128) (local $dR v128) (local $sL v128) (local $sR v128)
    (local $lr v128) (local $ll v128) (local $rr v128)
    (local $v v128) (local $lLo v128) (local $lHi v128) (local $rLo v128) (local $rHi v128)
    (local $p1 v128) (local $p2 v128) (local $t v128)
    (local.set $pl (i32.const 16))
    (local.set $pr (i32.const 65568))
    (local.set $o32 (i32.const 131120))
    (local.set $o64 (i32.const 147504))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $b) (local.get $blocks)))
        (local.set $mnL (v128.const f32x4 inf inf inf inf))
        (local.set $mxL (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $mnR (v128.const f32x4 inf inf inf inf))
        (local.set $mxR (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $dL (v128.const f64x2 0 0))
        (local.set $dR (v128.const f64x2 0 0))
        (local.set $sL (v128.const f64x2 0 0))
        (local.set $sR (v128.const f64x2 0 0))
        (local.set $lr (v128.const f64x2 0 0))
        (local.set $ll (v128.const f64x2 0 0))
        (local.set $rr (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (loop $quad
          ;; left: four frames and the two before each
          (local.set $v (v128.load (local.get $pl)))
          (local.set $mnL (f32x4.pmin (local.get $mnL) (local.get $v)))
          (local.set $mxL (f32x4.pmax (local.get $mxL) (local.get $v)))
          (local.set $lLo (f64x2.promote_low_f32x4 (local.get $v)))
          (local.set $lHi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
          (local.set $v (v128.load (i32.sub (local.get $pl) (i32.const 4))))
          (local.set $p1 (f64x2.promote_low_f32x4 (local.get $v)))
          (local.set $t (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
          (local.set $v (v128.load (i32.sub (local.get $pl) (i32.const 8))))
          (local.set $p2 (f64x2.promote_low_f32x4 (local.get $v)))
          (local.set $dL (f64x2.pmax (local.get $dL)
            (f64x2.abs (f64x2.add (f64x2.sub (local.get $lLo) (f64x2.add (local.get $p1) (local.get $p1))) (local.get $p2)))))
          (local.set $p2 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
          (local.set $dL (f64x2.pmax (local.get $dL)
            (f64x2.abs (f64x2.add (f64x2.sub (local.get $lHi) (f64x2.add (local.get $t) (local.get $t))) (local.get $p2)))))
          (local.set $sL (f64x2.add (local.get $sL) (f64x2.add (local.get $lLo) (local.get $lHi))))
          ;; right
          (local.set $v (v128.load (local.get $pr)))
          (local.set $mnR (f32x4.pmin (local.get $mnR) (local.get $v)))
          (local.set $mxR (f32x4.pmax (local.get $mxR) (local.get $v)))
          (local.set $rLo (f64x2.promote_low_f32x4 (local.get $v)))
          (local.set $rHi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
          (local.set $v (v128.load (i32.sub (local.get $pr) (i32.const 4))))
          (local.set $p1 (f64x2.promote_low_f32x4 (local.get $v)))
          (local.set $t (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
          (local.set $v (v128.load (i32.sub (local.get $pr) (i32.const 8))))
          (local.set $p2 (f64x2.promote_low_f32x4 (local.get $v)))
          (local.set $dR (f64x2.pmax (local.get $dR)
            (f64x2.abs (f64x2.add (f64x2.sub (local.get $rLo) (f64x2.add (local.get $p1) (local.get $p1))) (local.get $p2)))))
          (local.set $p2 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
          (local.set $dR (f64x2.pmax (local.get $dR)
            (f64x2.abs (f64x2.add (f64x2.sub (local.get $rHi) (f64x2.add (local.get $t) (local.get $t))) (local.get $p2)))))
          (local.set $sR (f64x2.add (local.get $sR) (f64x2.add (local.get $rLo) (local.get $rHi))))
          ;; stereo products (float64: exact products of float32 samples)
          (local.set $lr (f64x2.add (local.get $lr) (f64x2.add (f64x2.mul (local.get $lLo) (local.get $rLo)) (f64x2.mul (local.get $lHi) (local.get $rHi)))))
          (local.set $ll (f64x2.add (local.get $ll) (f64x2.add (f64x2.mul (local.get $lLo) (local.get $lLo)) (f64x2.mul (local.get $lHi) (local.get $lHi)))))
          (local.set $rr (f64x2.add (local.get $rr) (f64x2.add (f64x2.mul (local.get $rLo) (local.get $rLo)) (f64x2.mul (local.get $rHi) (local.get $rHi)))))
          (local.set $pl (i32.add (local.get $pl) (i32.const 16)))
          (local.set $pr (i32.add (local.get $pr) (i32.const 16)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $quad (i32.lt_u (local.get $k) (i32.const 4))))
        ;; horizontal: min/max over lanes (no lane is NaN), then store
        (local.set $t (f32x4.pmin (local.get $mnL) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mnL) (local.get $mnL))))
        (f32.store (local.get $o32) (f32.min (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t))))
        (local.set $t (f32x4.pmax (local.get $mxL) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mxL) (local.get $mxL))))
        (f32.store offset=4 (local.get $o32) (f32.max (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t))))
        (local.set $t (f32x4.pmin (local.get $mnR) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mnR) (local.get $mnR))))
        (f32.store offset=8 (local.get $o32) (f32.min (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t))))
        (local.set $t (f32x4.pmax (local.get $mxR) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mxR) (local.get $mxR))))
        (f32.store offset=12 (local.get $o32) (f32.max (f32x4.extract_lane 0 (local.get $t)) (f32x4.extract_lane 1 (local.get $t))))
        (f64.store (local.get $o64) (f64.max (f64x2.extract_lane 0 (local.get $dL)) (f64x2.extract_lane 1 (local.get $dL))))
        (f64.store offset=8 (local.get $o64) (f64.max (f64x2.extract_lane 0 (local.get $dR)) (f64x2.extract_lane 1 (local.get $dR))))
        (f64.store offset=16 (local.get $o64) (f64.add (f64x2.extract_lane 0 (local.get $sL)) (f64x2.extract_lane 1 (local.get $sL))))
        (f64.store offset=24 (local.get $o64) (f64.add (f64x2.extract_lane 0 (local.get $sR)) (f64x2.extract_lane 1 (local.get $sR))))
        (f64.store offset=32 (local.get $o64) (f64.add (f64x2.extract_lane 0 (local.get $lr)) (f64x2.extract_lane 1 (local.get $lr))))
        (f64.store offset=40 (local.get $o64) (f64.add (f64x2.extract_lane 0 (local.get $ll)) (f64x2.extract_lane 1 (local.get $ll))))
        (f64.store offset=48 (local.get $o64) (f64.add (f64x2.extract_lane 0 (local.get $rr)) (f64x2.extract_lane 1 (local.get $rr))))
        (local.set $o32 (i32.add (local.get $o32) (i32.const 16)))
        (local.set $o64 (i32.add (local.get $o64) (i32.const 56)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $block))))

  ;; The piece's boxcar-decimated mono copy, factor 4: out[g] = f32(0.125 · (((0 + (l0+r0)) + (l1+r1)) + (l2+r2)) + (l3+r3))
  ;; over frames 4g … 4g+3, float64 in the scalar code's order (bit-identical), for `groups` groups.
  (func (export "decimate4") (param $groups i32)
    (local $g i32) (local $l v128) (local $r v128) (local $lo v128) (local $hi v128) (local $a f64)
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $g) (local.get $groups)))
        (local.set $l (v128.load offset=16 (i32.shl (local.get $g) (i32.const 4))))
        (local.set $r (v128.load offset=65568 (i32.shl (local.get $g) (i32.const 4))))
        (local.set $lo (f64x2.add (f64x2.promote_low_f32x4 (local.get $l)) (f64x2.promote_low_f32x4 (local.get $r))))
        (local.set $hi (f64x2.add
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $l) (local.get $l)))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $r) (local.get $r)))))
        (local.set $a (f64.add (f64.const 0) (f64x2.extract_lane 0 (local.get $lo))))
        (local.set $a (f64.add (local.get $a) (f64x2.extract_lane 1 (local.get $lo))))
        (local.set $a (f64.add (local.get $a) (f64x2.extract_lane 0 (local.get $hi))))
        (local.set $a (f64.add (local.get $a) (f64x2.extract_lane 1 (local.get $hi))))
        (f32.store offset=204848 (i32.shl (local.get $g) (i32.const 2)) (f32.demote_f64 (f64.mul (local.get $a) (f64.const 0.125))))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $group))))
)
