;; The per-segment work of the Welch long-term spectrum (lib/mastering/analysis/longTermSpectrum.ts) around its FFT:
;; windowing left/right into interleaved mid/side (the FFT's complex input), and splitting the packed spectrum back
;; into |M|², |S|² and Re(M·S*) added to per-bin float64 sums. The TypeScript copies each segment's samples in, the
;; kernel's input out to the FFT, and the FFT's output in; every address is a byte offset it passes.
;;
;; Exactness: the same float64 arithmetic in the same order as the scalar functions beside the accumulator
;; (promote, then (l + r)·(0.5·w), and weight·(mr·mr + mi·mi) added last), so the results are bit-identical; float64
;; SIMD has no fused multiply-add to change a rounding. Built by scripts/buildWasm.mjs.
(module
  (memory (export "memory") 1)

  ;; out[2i] = f32((l[i] + r[i])·(0.5·w[i])), out[2i+1] = f32((l[i] - r[i])·(0.5·w[i])), i < count; two frames at once.
  (func (export "windowMidSide") (param $out i32) (param $l i32) (param $r i32) (param $w i32) (param $count i32)
    (local $i i32) (local $end i32) (local $vl v128) (local $vr v128) (local $h v128) (local $m v128) (local $s v128)
    (local $fl f64) (local $fr f64) (local $fh f64)
    (local.set $end (i32.and (local.get $count) (i32.const -2)))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $vl (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $l) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $vr (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $h (f64x2.mul (v128.const f64x2 0.5 0.5)
          (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $m (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.add (local.get $vl) (local.get $vr)) (local.get $h))))
        (local.set $s (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.sub (local.get $vl) (local.get $vr)) (local.get $h))))
        ;; [m0, s0, m1, s1]
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $m) (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $count))
      (then
        (local.set $fl (f64.promote_f32 (f32.load (i32.add (local.get $l) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $fr (f64.promote_f32 (f32.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $fh (f64.mul (f64.const 0.5) (f64.promote_f32 (f32.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2)))))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (f32.demote_f64 (f64.mul (f64.add (local.get $fl) (local.get $fr)) (local.get $fh))))
        (f32.store (i32.add (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (i32.const 4))
          (f32.demote_f64 (f64.mul (f64.sub (local.get $fl) (local.get $fr)) (local.get $fh)))))))

  ;; windowMidSide for float64 samples (a render's working audio): each sample is rounded to float32 first, so the
  ;; result is what windowMidSide gives for a float32 copy of them, without the caller making that copy (a native
  ;; float64-to-float32 copy cost ~3 ns per sample, twice per sample at 50 % overlap).
  (func (export "windowMidSide64") (param $out i32) (param $l i32) (param $r i32) (param $w i32) (param $count i32)
    (local $i i32) (local $end i32) (local $vl v128) (local $vr v128) (local $h v128) (local $m v128) (local $s v128)
    (local $fl f64) (local $fr f64) (local $fh f64)
    (local.set $end (i32.and (local.get $count) (i32.const -2)))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $vl (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $l) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $vr (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $h (f64x2.mul (v128.const f64x2 0.5 0.5)
          (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $m (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.add (local.get $vl) (local.get $vr)) (local.get $h))))
        (local.set $s (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.sub (local.get $vl) (local.get $vr)) (local.get $h))))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $m) (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $count))
      (then
        (local.set $fl (f64.promote_f32 (f32.demote_f64 (f64.load (i32.add (local.get $l) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $fr (f64.promote_f32 (f32.demote_f64 (f64.load (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $fh (f64.mul (f64.const 0.5) (f64.promote_f32 (f32.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2)))))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
          (f32.demote_f64 (f64.mul (f64.add (local.get $fl) (local.get $fr)) (local.get $fh))))
        (f32.store (i32.add (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (i32.const 4))
          (f32.demote_f64 (f64.mul (f64.sub (local.get $fl) (local.get $fr)) (local.get $fh)))))))

  ;; out[2i] = f32(x[i]·w[i]) (a product of two float32 is exact in float64, so one float32 multiply rounds the same),
  ;; out[2i+1] = 0, i < count; four frames at once.
  (func (export "windowMono") (param $out i32) (param $x i32) (param $w i32) (param $count i32)
    (local $i i32) (local $end i32) (local $p v128) (local $o i32)
    (local.set $end (i32.and (local.get $count) (i32.const -4)))
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $p (f32x4.mul
          (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
          (v128.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
        (v128.store (local.get $o) (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 16 17 18 19 (local.get $p) (v128.const i32x4 0 0 0 0)))
        (v128.store (i32.add (local.get $o) (i32.const 16))
          (i8x16.shuffle 8 9 10 11 16 17 18 19 12 13 14 15 16 17 18 19 (local.get $p) (v128.const i32x4 0 0 0 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quads)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
        (f32.store (local.get $o) (f32.mul
          (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
          (f32.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2))))))
        (f32.store (i32.add (local.get $o) (i32.const 4)) (f32.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; For bins k = 0 … size/2 of the packed spectrum z (interleaved float32, `size` complex values): with a/b/c/d the
  ;; real and imaginary parts of z[k] and z[size-k] (z[0] for k = 0), mr = a + c, mi = b - d, sr = b + d, si = c - a,
  ;; m2[k] += weight·(mr·mr + mi·mi), s2[k] += weight·(sr·sr + si·si), ms[k] += weight·(mr·sr + mi·si). Bins 1 … size/2
  ;; go two at a time (size/2 is even for every size the FFT takes); bin 0 alone.
  (func (export "accumulate") (param $z i32) (param $m2 i32) (param $s2 i32) (param $ms i32) (param $size i32) (param $weight f64)
    (local $k i32) (local $half i32) (local $v1 v128) (local $v2 v128) (local $wt v128)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $mr v128) (local $mi v128) (local $sr v128) (local $si v128) (local $o i32)
    (local $fa f64) (local $fb f64) (local $fmr f64) (local $fmi f64) (local $fsr f64) (local $fsi f64)
    ;; bin 0: its mirror is itself
    (local.set $fa (f64.promote_f32 (f32.load (local.get $z))))
    (local.set $fb (f64.promote_f32 (f32.load offset=4 (local.get $z))))
    (local.set $fmr (f64.add (local.get $fa) (local.get $fa)))
    (local.set $fmi (f64.sub (local.get $fb) (local.get $fb)))
    (local.set $fsr (f64.add (local.get $fb) (local.get $fb)))
    (local.set $fsi (f64.sub (local.get $fa) (local.get $fa)))
    (f64.store (local.get $m2) (f64.add (f64.load (local.get $m2))
      (f64.mul (local.get $weight) (f64.add (f64.mul (local.get $fmr) (local.get $fmr)) (f64.mul (local.get $fmi) (local.get $fmi))))))
    (f64.store (local.get $s2) (f64.add (f64.load (local.get $s2))
      (f64.mul (local.get $weight) (f64.add (f64.mul (local.get $fsr) (local.get $fsr)) (f64.mul (local.get $fsi) (local.get $fsi))))))
    (f64.store (local.get $ms) (f64.add (f64.load (local.get $ms))
      (f64.mul (local.get $weight) (f64.add (f64.mul (local.get $fmr) (local.get $fsr)) (f64.mul (local.get $fmi) (local.get $fsi))))))
    (local.set $wt (f64x2.splat (local.get $weight)))
    (local.set $half (i32.shr_u (local.get $size) (i32.const 1)))
    (local.set $k (i32.const 1))
    (block $done
      (loop $pair
        (br_if $done (i32.gt_u (local.get $k) (local.get $half)))
        ;; [a_k, b_k, a_k+1, b_k+1] and [c_k+1, d_k+1, c_k, d_k] (the mirrors run backwards)
        (local.set $v1 (v128.load (i32.add (local.get $z) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $v2 (v128.load (i32.add (local.get $z) (i32.shl (i32.sub (i32.sub (local.get $size) (local.get $k)) (i32.const 1)) (i32.const 3)))))
        (local.set $a (f64x2.promote_low_f32x4 (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 0 1 2 3 (local.get $v1) (local.get $v1))))
        (local.set $b (f64x2.promote_low_f32x4 (i8x16.shuffle 4 5 6 7 12 13 14 15 0 1 2 3 0 1 2 3 (local.get $v1) (local.get $v1))))
        (local.set $c (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $v2) (local.get $v2))))
        (local.set $d (f64x2.promote_low_f32x4 (i8x16.shuffle 12 13 14 15 4 5 6 7 0 1 2 3 0 1 2 3 (local.get $v2) (local.get $v2))))
        (local.set $mr (f64x2.add (local.get $a) (local.get $c)))
        (local.set $mi (f64x2.sub (local.get $b) (local.get $d)))
        (local.set $sr (f64x2.add (local.get $b) (local.get $d)))
        (local.set $si (f64x2.sub (local.get $c) (local.get $a)))
        (local.set $o (i32.shl (local.get $k) (i32.const 3)))
        (v128.store (i32.add (local.get $m2) (local.get $o)) (f64x2.add (v128.load (i32.add (local.get $m2) (local.get $o)))
          (f64x2.mul (local.get $wt) (f64x2.add (f64x2.mul (local.get $mr) (local.get $mr)) (f64x2.mul (local.get $mi) (local.get $mi))))))
        (v128.store (i32.add (local.get $s2) (local.get $o)) (f64x2.add (v128.load (i32.add (local.get $s2) (local.get $o)))
          (f64x2.mul (local.get $wt) (f64x2.add (f64x2.mul (local.get $sr) (local.get $sr)) (f64x2.mul (local.get $si) (local.get $si))))))
        (v128.store (i32.add (local.get $ms) (local.get $o)) (f64x2.add (v128.load (i32.add (local.get $ms) (local.get $o)))
          (f64x2.mul (local.get $wt) (f64x2.add (f64x2.mul (local.get $mr) (local.get $sr)) (f64x2.mul (local.get $mi) (local.get $si))))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $pair))))
)
