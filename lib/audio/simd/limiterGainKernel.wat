;; The true-peak limiter's gain stage for two channels (lib/audio/limiter.ts renderGain): per frame, the two-stage
;; release in dB toward the run's target reduction, the gain from dbToGainFast, the lookahead moving average, and the
;; gain applied to left and right (one f64x2), with the largest |output| and gain step per 32-frame block and the
;; gain at every statistics frame. The runs themselves (the running minimum of the needs) and their target reductions
;; stay in the TypeScript, which copies a chunk of frames in, calls `active` and `rest` for the pieces of runs within
;; it, and copies the frames back.
;;
;; Exactness: the same float64 operations in the same order as renderGain and dbToGainFast (workingAudio.ts), whose
;; tables and constants the TypeScript writes into memory; dbToGainFast's rare out-of-range case calls the imported
;; Math.pow as the TypeScript does. The results are bit-identical.
;;
;; Memory (bytes): constants (log2(10)/20, 1.5·2^52, ln 2, 1/6, 1/24, 1/120) as f64 at 0; 2^(m/64) for m < 64 at 64;
;; 2^(e - 1074) for e < 2098 at 1024; the moving average's ring (up to 2048 values) at 18432; the chunk's left frames
;; at 36864 and right frames at 102400 (up to 8192 each); per block of the chunk the largest |output| at 167936; per
;; block the largest gain step at 169984 + 8·(block + 1), index 0 being the block before the chunk; the gains at
;; statistics frames at 172544 (up to 8193).
;; Built by scripts/buildWasm.mjs.
(module
  (import "env" "pow" (func $pow (param f64 f64) (result f64)))
  (memory (export "memory") 4)
  (global (export "constants") i32 (i32.const 0))
  (global (export "pow2Fraction") i32 (i32.const 64))
  (global (export "pow2Integer") i32 (i32.const 1024))
  (global (export "pow2IntegerLength") i32 (i32.const 2098))
  (global (export "ring") i32 (i32.const 18432))
  (global (export "maxRing") i32 (i32.const 2048))
  (global (export "left") i32 (i32.const 36864))
  (global (export "right") i32 (i32.const 102400))
  (global (export "blockMax") i32 (i32.const 167936))
  (global (export "blockSlope") i32 (i32.const 169984))
  (global (export "statGains") i32 (i32.const 172544))
  (global (export "chunkFrames") i32 (i32.const 8192))
  (global (export "blockFrames") i32 (i32.const 32))

  ;; settings
  (global $w (mut i32) (i32.const 1))
  (global $lookahead (mut i32) (i32.const 0))
  (global $fastCoef (mut f64) (f64.const 0))
  (global $slowRelease (mut f64) (f64.const 0))
  (global $slowAttack (mut f64) (f64.const 0))
  (global $stride (mut i32) (i32.const 1))
  ;; state
  (global $d (mut f64) (f64.const 0))
  (global $ds (mut f64) (f64.const 0))
  (global $lastD (mut f64) (f64.const 0))
  (global $lastRelease (mut f64) (f64.const 1))
  (global $sum (mut f64) (f64.const 0))
  (global $slot (mut i32) (i32.const 0))
  (global $ones (mut i32) (i32.const 0))
  (global $prevGain (mut f64) (f64.const 1))
  (global $nextStat (mut i32) (i32.const 0))
  ;; the chunk
  (global $chunkStart (mut i32) (i32.const 0))
  (global $statCount (mut i32) (i32.const 0))

  (func (export "init") (param $w i32) (param $lookahead i32) (param $fastCoef f64) (param $slowRelease f64) (param $slowAttack f64) (param $stride i32)
    (global.set $w (local.get $w))
    (global.set $lookahead (local.get $lookahead))
    (global.set $fastCoef (local.get $fastCoef))
    (global.set $slowRelease (local.get $slowRelease))
    (global.set $slowAttack (local.get $slowAttack))
    (global.set $stride (local.get $stride))
    (global.set $d (f64.const 0))
    (global.set $ds (f64.const 0))
    (global.set $lastD (f64.const 0))
    (global.set $lastRelease (f64.const 1))
    (global.set $sum (f64.const 0))
    (global.set $slot (i32.const 0))
    (global.set $ones (i32.const 0))
    (global.set $prevGain (f64.const 1))
    (global.set $nextStat (i32.const 0)))

  ;; A new chunk from frame `start`: its block maxima, gain steps and statistics start empty.
  (func (export "beginChunk") (param $start i32)
    (global.set $chunkStart (local.get $start))
    (global.set $statCount (i32.const 0))
    (memory.fill (i32.const 167936) (i32.const 0) (i32.const 2048))
    (memory.fill (i32.const 169984) (i32.const 0) (i32.const 2056)))

  (func (export "statCount") (result i32) (global.get $statCount))

  ;; dbToGainFast (workingAudio.ts)
  (func $dbToGain (param $db f64) (result f64)
    (local $y f64) (local $kf f64) (local $k i32) (local $r f64)
    (local.set $y (f64.mul (local.get $db) (f64.load (i32.const 0))))
    (if (i32.eqz (i32.and (f64.gt (local.get $y) (f64.const -1000)) (f64.lt (local.get $y) (f64.const 1000))))
      (then (return (call $pow (f64.const 10) (f64.div (local.get $db) (f64.const 20))))))
    (local.set $kf (f64.sub (f64.add (f64.mul (local.get $y) (f64.const 64)) (f64.load (i32.const 8))) (f64.load (i32.const 8))))
    (local.set $k (i32.trunc_f64_s (local.get $kf)))
    (local.set $r (f64.mul (f64.sub (local.get $y) (f64.div (local.get $kf) (f64.const 64))) (f64.load (i32.const 16))))
    (f64.mul
      (f64.mul
        (f64.add (f64.const 1)
          (f64.mul (local.get $r)
            (f64.add (f64.const 1)
              (f64.mul (local.get $r)
                (f64.add (f64.const 0.5)
                  (f64.mul (local.get $r)
                    (f64.add (f64.load (i32.const 24))
                      (f64.mul (local.get $r)
                        (f64.add (f64.load (i32.const 32))
                          (f64.mul (local.get $r) (f64.load (i32.const 40))))))))))))
        (f64.load (i32.add (i32.const 64) (i32.shl (i32.and (local.get $k) (i32.const 63)) (i32.const 3)))))
      (f64.load (i32.add (i32.const 1024) (i32.shl (i32.add (i32.shr_s (local.get $k) (i32.const 6)) (i32.const 1074)) (i32.const 3))))))

  ;; The largest gain step of block (i - 1) >> 5, where i > 0.
  (func $step (param $i i32) (param $a f64)
    (local $p i32)
    (local.set $p (i32.add (i32.const 169984)
      (i32.shl (i32.add (i32.sub (i32.shr_s (i32.sub (local.get $i) (i32.const 1)) (i32.const 5)) (i32.shr_s (global.get $chunkStart) (i32.const 5))) (i32.const 1)) (i32.const 3))))
    (if (f64.gt (local.get $a) (f64.load (local.get $p))) (then (f64.store (local.get $p) (local.get $a)))))

  ;; Frames [from, to) of a run with target reduction dt (dB), released values and all: returns where it stopped, `to`
  ;; or the first frame from which the envelope is released with a full window of ones (the rest of the run is `rest`).
  (func (export "active") (param $from i32) (param $to i32) (param $dt f64) (result i32)
    (local $i i32) (local $r f64) (local $g f64) (local $floor f64) (local $dr f64) (local $old f64) (local $k i32)
    (local $p i32) (local $li i32) (local $v v128) (local $m f64) (local $a f64) (local $wf f64)
    (local $db f64) (local $y f64) (local $kf f64) (local $x f64)
    (local $log2Of10Over20 f64) (local $shift f64) (local $ln2 f64) (local $c6 f64) (local $c24 f64) (local $c120 f64)
    (local $_d f64) (local $_ds f64) (local $_lastD f64) (local $_lastRelease f64) (local $_sum f64) (local $_prevGain f64)
    (local $_slot i32) (local $_ones i32) (local $_nextStat i32) (local $_statCount i32)
    (local.set $log2Of10Over20 (f64.load (i32.const 0)))
    (local.set $shift (f64.load (i32.const 8)))
    (local.set $ln2 (f64.load (i32.const 16)))
    (local.set $c6 (f64.load (i32.const 24)))
    (local.set $c24 (f64.load (i32.const 32)))
    (local.set $c120 (f64.load (i32.const 40)))
    ;; The state lives in locals while the loop runs (globals are memory to the engine: a load and a store per use,
    ;; on the release's dependency chain).
    (local.set $_d (global.get $d))
    (local.set $_ds (global.get $ds))
    (local.set $_lastD (global.get $lastD))
    (local.set $_lastRelease (global.get $lastRelease))
    (local.set $_sum (global.get $sum))
    (local.set $_prevGain (global.get $prevGain))
    (local.set $_slot (global.get $slot))
    (local.set $_ones (global.get $ones))
    (local.set $_nextStat (global.get $nextStat))
    (local.set $_statCount (global.get $statCount))
    (local.set $wf (f64.convert_i32_s (global.get $w)))
    (local.set $i (local.get $from))
    (block $done
      (loop $frame
        (br_if $done (i32.ge_s (local.get $i) (local.get $to)))
        (local.set $r (f64.const 1))
        (if (i32.or (f64.ne (local.get $dt) (f64.const 0))
              (i32.or (f64.ge (local.get $_d) (f64.const 1e-9)) (f64.ge (local.get $_ds) (f64.const 1e-9))))
          (then
            (if (f64.gt (local.get $dt) (local.get $_ds))
              (then (local.set $_ds (f64.add (local.get $_ds) (f64.mul (f64.sub (local.get $dt) (local.get $_ds)) (global.get $slowAttack)))))
              (else (local.set $_ds (f64.add (local.get $dt) (f64.mul (f64.sub (local.get $_ds) (local.get $dt)) (global.get $slowRelease))))))
            (local.set $floor (select (local.get $_ds) (local.get $_d) (f64.lt (local.get $_ds) (local.get $_d))))
            (local.set $dr (f64.add (local.get $floor) (f64.mul (f64.sub (local.get $_d) (local.get $floor)) (global.get $fastCoef))))
            (local.set $_d (select (local.get $dt) (local.get $dr) (f64.gt (local.get $dt) (local.get $dr))))
            (if (f64.ne (local.get $_d) (local.get $_lastD))
              (then
                (local.set $_lastD (local.get $_d))
                ;; dbToGain(-d), written out here: a call per frame cost a quarter of the loop
                (local.set $db (f64.neg (local.get $_d)))
                (local.set $y (f64.mul (local.get $db) (local.get $log2Of10Over20)))
                (if (i32.and (f64.gt (local.get $y) (f64.const -1000)) (f64.lt (local.get $y) (f64.const 1000)))
                  (then
                    (local.set $kf (f64.sub (f64.add (f64.mul (local.get $y) (f64.const 64)) (local.get $shift)) (local.get $shift)))
                    (local.set $k (i32.trunc_f64_s (local.get $kf)))
                    (local.set $x (f64.mul (f64.sub (local.get $y) (f64.div (local.get $kf) (f64.const 64))) (local.get $ln2)))
                    (local.set $_lastRelease
                      (f64.mul
                        (f64.mul
                          (f64.add (f64.const 1)
                            (f64.mul (local.get $x)
                              (f64.add (f64.const 1)
                                (f64.mul (local.get $x)
                                  (f64.add (f64.const 0.5)
                                    (f64.mul (local.get $x)
                                      (f64.add (local.get $c6)
                                        (f64.mul (local.get $x)
                                          (f64.add (local.get $c24)
                                            (f64.mul (local.get $x) (local.get $c120)))))))))))
                          (f64.load offset=64 (i32.shl (i32.and (local.get $k) (i32.const 63)) (i32.const 3))))
                        (f64.load offset=1024 (i32.shl (i32.add (i32.shr_s (local.get $k) (i32.const 6)) (i32.const 1074)) (i32.const 3))))))
                  (else (local.set $_lastRelease (call $dbToGain (local.get $db)))))))
            (local.set $r (select (f64.const 1) (local.get $_lastRelease) (f64.eq (local.get $_d) (f64.const 0)))))
          (else
            (local.set $_d (f64.const 0))
            (local.set $_ds (f64.const 0))
            (if (i32.eq (local.get $_ones) (global.get $w)) (then (br $done)))))
        (if (i32.eqz (local.get $i))
          (then
            ;; the average reads the first released value before the first frame
            (local.set $k (i32.sub (i32.const 0) (global.get $lookahead)))
            (block $filled
              (loop $fill
                (br_if $filled (i32.gt_s (local.get $k) (i32.const 0)))
                (local.set $_sum (f64.add (local.get $_sum) (local.get $r)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $fill)))
            (local.set $k (i32.const 0))
            (block $ringFilled
              (loop $ringFill
                (br_if $ringFilled (i32.ge_s (local.get $k) (global.get $w)))
                (f64.store (i32.add (i32.const 18432) (i32.shl (local.get $k) (i32.const 3))) (local.get $r))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $ringFill)))
            ;; the slot written below is one of these w (and is counted again there)
            (local.set $_ones (select (i32.sub (global.get $w) (i32.const 1)) (i32.const 0) (f64.eq (local.get $r) (f64.const 1)))))
          (else
            (local.set $old (f64.load (i32.add (i32.const 18432) (i32.shl (local.get $_slot) (i32.const 3)))))
            (local.set $_sum (f64.add (local.get $_sum) (f64.sub (local.get $r) (local.get $old))))
            (if (f64.eq (local.get $old) (f64.const 1)) (then (local.set $_ones (i32.sub (local.get $_ones) (i32.const 1)))))))
        (f64.store (i32.add (i32.const 18432) (i32.shl (local.get $_slot) (i32.const 3))) (local.get $r))
        (if (f64.eq (local.get $r) (f64.const 1)) (then (local.set $_ones (i32.add (local.get $_ones) (i32.const 1)))))
        (local.set $_slot (i32.add (local.get $_slot) (i32.const 1)))
        (if (i32.eq (local.get $_slot) (global.get $w)) (then (local.set $_slot (i32.const 0))))
        (local.set $g (f64.div (local.get $_sum) (local.get $wf)))
        (if (i32.eq (local.get $i) (local.get $_nextStat))
          (then
            (local.set $_nextStat (i32.add (local.get $_nextStat) (global.get $stride)))
            (f64.store (i32.add (i32.const 172544) (i32.shl (local.get $_statCount) (i32.const 3))) (local.get $g))
            (local.set $_statCount (i32.add (local.get $_statCount) (i32.const 1)))))
        (if (i32.gt_s (local.get $i) (i32.const 0))
          (then
            (local.set $a (f64.abs (f64.sub (local.get $g) (local.get $_prevGain))))
            (local.set $p (i32.add (i32.const 169984)
              (i32.shl (i32.add (i32.sub (i32.shr_s (i32.sub (local.get $i) (i32.const 1)) (i32.const 5)) (i32.shr_s (global.get $chunkStart) (i32.const 5))) (i32.const 1)) (i32.const 3))))
            (if (f64.gt (local.get $a) (f64.load (local.get $p))) (then (f64.store (local.get $p) (local.get $a))))))
        (local.set $_prevGain (local.get $g))
        (local.set $li (i32.sub (local.get $i) (global.get $chunkStart)))
        (local.set $p (i32.shl (local.get $li) (i32.const 3)))
        (local.set $v (f64x2.mul
          (f64x2.replace_lane 1 (f64x2.splat (f64.load offset=36864 (local.get $p))) (f64.load offset=102400 (local.get $p)))
          (f64x2.splat (local.get $g))))
        (f64.store offset=36864 (local.get $p) (f64x2.extract_lane 0 (local.get $v)))
        (f64.store offset=102400 (local.get $p) (f64x2.extract_lane 1 (local.get $v)))
        (local.set $v (f64x2.abs (local.get $v)))
        (local.set $p (i32.add (i32.const 167936) (i32.shl (i32.shr_s (local.get $li) (i32.const 5)) (i32.const 3))))
        (local.set $m (f64.load (local.get $p)))
        (local.set $a (f64x2.extract_lane 0 (local.get $v)))
        (if (f64.gt (local.get $a) (local.get $m)) (then (local.set $m (local.get $a))))
        (local.set $a (f64x2.extract_lane 1 (local.get $v)))
        (if (f64.gt (local.get $a) (local.get $m)) (then (local.set $m (local.get $a))))
        (f64.store (local.get $p) (local.get $m))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $frame)))
    (global.set $d (local.get $_d))
    (global.set $ds (local.get $_ds))
    (global.set $lastD (local.get $_lastD))
    (global.set $lastRelease (local.get $_lastRelease))
    (global.set $sum (local.get $_sum))
    (global.set $prevGain (local.get $_prevGain))
    (global.set $slot (local.get $_slot))
    (global.set $ones (local.get $_ones))
    (global.set $nextStat (local.get $_nextStat))
    (global.set $statCount (local.get $_statCount))
    ;; `to`, or the frame where the loop stopped for the rest of the run
    (select (local.get $to) (local.get $i) (i32.ge_s (local.get $i) (local.get $to))))

  ;; Frames [from, to) of a run that continues released with a full window of ones: the gain holds (sum / w).
  (func (export "rest") (param $from i32) (param $to i32)
    (local $g f64) (local $i i32) (local $p i32) (local $y v128) (local $m f64) (local $a f64)
    (local.set $g (f64.div (global.get $sum) (f64.convert_i32_s (global.get $w))))
    (if (i32.and (i32.gt_s (local.get $from) (i32.const 0)) (f64.ne (local.get $g) (global.get $prevGain)))
      (then (call $step (local.get $from) (f64.abs (f64.sub (local.get $g) (global.get $prevGain))))))
    (global.set $prevGain (local.get $g))
    (block $statsDone
      (loop $stat
        (br_if $statsDone (i32.ge_s (global.get $nextStat) (local.get $to)))
        (f64.store (i32.add (i32.const 172544) (i32.shl (global.get $statCount) (i32.const 3))) (local.get $g))
        (global.set $statCount (i32.add (global.get $statCount) (i32.const 1)))
        (global.set $nextStat (i32.add (global.get $nextStat) (global.get $stride)))
        (br $stat)))
    (local.set $i (local.get $from))
    (block $done
      (loop $frame
        (br_if $done (i32.ge_s (local.get $i) (local.get $to)))
        (local.set $p (i32.shl (i32.sub (local.get $i) (global.get $chunkStart)) (i32.const 3)))
        (local.set $y (f64x2.replace_lane 1 (f64x2.splat (f64.load offset=36864 (local.get $p))) (f64.load offset=102400 (local.get $p))))
        (if (f64.ne (local.get $g) (f64.const 1))
          (then
            (local.set $y (f64x2.mul (local.get $y) (f64x2.splat (local.get $g))))
            (f64.store offset=36864 (local.get $p) (f64x2.extract_lane 0 (local.get $y)))
            (f64.store offset=102400 (local.get $p) (f64x2.extract_lane 1 (local.get $y)))))
        (local.set $y (f64x2.abs (local.get $y)))
        (local.set $p (i32.add (i32.const 167936) (i32.shl (i32.shr_s (i32.sub (local.get $i) (global.get $chunkStart)) (i32.const 5)) (i32.const 3))))
        (local.set $m (f64.load (local.get $p)))
        (local.set $a (f64x2.extract_lane 0 (local.get $y)))
        (if (f64.gt (local.get $a) (local.get $m)) (then (local.set $m (local.get $a))))
        (local.set $a (f64x2.extract_lane 1 (local.get $y)))
        (if (f64.gt (local.get $a) (local.get $m)) (then (local.set $m (local.get $a))))
        (f64.store (local.get $p) (local.get $m))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $frame))))
)
