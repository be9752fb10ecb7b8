;; Element-wise kernels for the 'wasm' backend (host side in wasm/elementwise.ts): the SGD update,
;; sigmoid, activation gradients and column sums. Assembled by scripts/build-wasm.mjs (wabt) into
;; elementwise.generated.ts (base64), which is committed.
;;
;; Numerics: each kernel repeats the 'js' kernel's float64 arithmetic in f64x2 lanes, operation for
;; operation (float32 values widened exactly, the same float64 roundings, one rounding to float32
;; where the 'js' kernel stores into a Float32Array), so both backends give the same bits. Two
;; float32 values are loaded at a time (v128.load64_zero) and widened with f64x2.promote_low_f32x4.
;; All pointers are in BYTES; the host never grows the memory (see runtime.ts).
(module
  (import "env" "memory" (memory 1))

  ;; torch.optim.SGD on n parameters, in place. p, g: float32 arrays; buf: the momentum buffer
  ;; (float32, read and written when momentum is on). Flags: 1 maximize, 2 weight decay,
  ;; 4 momentum, 8 first step (buf = d), 16 nesterov.
  ;;   d = (maximize ? −g : g) + wd·p          (rounded to float32; only with flags 1 or 2)
  ;;   buf = first ? d : fround(buf·μ) + (1 − τ)·d   (rounded to float32)
  ;;   d = nesterov ? d + μ·buf : buf          (rounded to float32)
  ;;   p = p − lr·d                            (rounded to float32)
  (func (export "sgd") (param $p i32) (param $g i32) (param $buf i32) (param $n i32)
        (param $lr f64) (param $wd f64) (param $mu f64) (param $damp f64) (param $flags i32)
    (local $end i32) (local $d v128) (local $b v128) (local $pv v128)
    (local $vlr v128) (local $vwd v128) (local $vmu v128) (local $vdamp v128)
    (local $ds f64) (local $bs f64) (local $ps f64)
    (local.set $vlr (f64x2.splat (local.get $lr)))
    (local.set $vwd (f64x2.splat (local.get $wd)))
    (local.set $vmu (f64x2.splat (local.get $mu)))
    (local.set $vdamp (f64x2.splat (local.get $damp)))
    ;; pairs
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $pv (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))
        (local.set $d (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $g))))
        (if (i32.and (local.get $flags) (i32.const 3))
          (then
            (if (i32.and (local.get $flags) (i32.const 1))
              (then (local.set $d (f64x2.neg (local.get $d)))))
            (local.set $d (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
              (f64x2.add (local.get $d) (f64x2.mul (local.get $vwd) (local.get $pv))))))))
        (if (i32.and (local.get $flags) (i32.const 4))
          (then
            (if (i32.and (local.get $flags) (i32.const 8))
              (then (local.set $b (local.get $d)))
              (else
                (local.set $b (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $buf))))
                (local.set $b (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
                  (f64x2.add
                    (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.mul (local.get $b) (local.get $vmu))))
                    (f64x2.mul (local.get $vdamp) (local.get $d))))))))
            (v128.store64_lane 0 (local.get $buf) (f32x4.demote_f64x2_zero (local.get $b)))
            (if (i32.and (local.get $flags) (i32.const 16))
              (then (local.set $d (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
                (f64x2.add (local.get $d) (f64x2.mul (local.get $vmu) (local.get $b)))))))
              (else (local.set $d (local.get $b))))
            (local.set $buf (i32.add (local.get $buf) (i32.const 8)))))
        (v128.store64_lane 0 (local.get $p) (f32x4.demote_f64x2_zero
          (f64x2.sub (local.get $pv) (f64x2.mul (local.get $vlr) (local.get $d)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $g (i32.add (local.get $g) (i32.const 8)))
        (br $pairs)))
    ;; the last value when n is odd: the same steps in scalar float64
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $ps (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $ds (f64.promote_f32 (f32.load (local.get $g))))
        (if (i32.and (local.get $flags) (i32.const 3))
          (then
            (if (i32.and (local.get $flags) (i32.const 1))
              (then (local.set $ds (f64.neg (local.get $ds)))))
            (local.set $ds (f64.promote_f32 (f32.demote_f64
              (f64.add (local.get $ds) (f64.mul (local.get $wd) (local.get $ps))))))))
        (if (i32.and (local.get $flags) (i32.const 4))
          (then
            (if (i32.and (local.get $flags) (i32.const 8))
              (then (local.set $bs (local.get $ds)))
              (else
                (local.set $bs (f64.promote_f32 (f32.demote_f64
                  (f64.add
                    (f64.promote_f32 (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load (local.get $buf))) (local.get $mu))))
                    (f64.mul (local.get $damp) (local.get $ds))))))))
            (f32.store (local.get $buf) (f32.demote_f64 (local.get $bs)))
            (if (i32.and (local.get $flags) (i32.const 16))
              (then (local.set $ds (f64.promote_f32 (f32.demote_f64
                (f64.add (local.get $ds) (f64.mul (local.get $mu) (local.get $bs)))))))
              (else (local.set $ds (local.get $bs))))))
        (f32.store (local.get $p) (f32.demote_f64
          (f64.sub (local.get $ps) (f64.mul (local.get $lr) (local.get $ds))))))))
  ;; Sigmoid over n float32 values, y = 1 / (1 + exp(−x)), two at a time in float64 exactly as the
  ;; 'js' loop evaluates it with Math.exp, then rounded to float32. exp is fdlibm's e_exp.c (the
  ;; algorithm and constants of V8's Math.exp, base/ieee754.cc) evaluated lane-wise: both of its
  ;; branches are computed and selected by the same tests on the high word, so each lane gets
  ;; Math.exp's bits. t = −x is first clamped to [−708, 709]: beyond, fdlibm's overflow, underflow
  ;; and subnormal paths give 1 + e = 1 or 1 / (1 + e) below float32's range, as the clamp does.
  (func (export "sigmoid") (param $x i32) (param $out i32) (param $n i32)
    (local $end i32) (local $t v128) (local $abs v128) (local $k v128) (local $hi v128) (local $lo v128)
    (local $r v128) (local $rr v128) (local $c v128) (local $q v128) (local $y v128) (local $scale v128)
    (local $pairs i32) (local $end8 i32)
    (local $t0 v128) (local $abs0 v128) (local $k0 v128) (local $hi0 v128) (local $lo0 v128) (local $r0 v128) (local $rr0 v128) (local $c0 v128) (local $q0 v128) (local $y0 v128) (local $scale0 v128) (local $t1 v128) (local $abs1 v128) (local $k1 v128) (local $hi1 v128) (local $lo1 v128) (local $r1 v128) (local $rr1 v128) (local $c1 v128) (local $q1 v128) (local $y1 v128) (local $scale1 v128) (local $t2 v128) (local $abs2 v128) (local $k2 v128) (local $hi2 v128) (local $lo2 v128) (local $r2 v128) (local $rr2 v128) (local $c2 v128) (local $q2 v128) (local $y2 v128) (local $scale2 v128) (local $t3 v128) (local $abs3 v128) (local $k3 v128) (local $hi3 v128) (local $lo3 v128) (local $r3 v128) (local $rr3 v128) (local $c3 v128) (local $q3 v128) (local $y3 v128) (local $scale3 v128)
    ;; Eight values a step, four independent pairs (the chain of one pair is ~100 cycles deep, two
    ;; divisions among them: interleaving four lets the core overlap them: 1.8× faster); then a pair
    ;; at a time. Each of the four blocks is the pair loop's body below, its locals numbered 0–3.
    (local.set $end8 (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $eights_done
      (loop $eights
        (br_if $eights_done (i32.ge_u (local.get $x) (local.get $end8)))
        (local.set $t0 (f64x2.neg (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x)))))
        (local.set $t0 (f64x2.pmax (f64x2.pmin (local.get $t0) (v128.const f64x2 709 709)) (v128.const f64x2 -708 -708)))
        ;; fdlibm's tests on hx, the high word of |t|, as float64 comparisons of |t|: hx > 0x3fd62e42
        ;; (about 0.5·ln2: reduce, k = (int)(t/ln2 ± 0.5)) and hx < 0x3e300000 (|t| < 2^−28: 1 + t).
        (local.set $abs0 (f64x2.abs (local.get $t0)))
        (local.set $k0 (f64x2.trunc (f64x2.add
          (f64x2.mul (local.get $t0) (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
          (v128.bitselect (local.get $t0) (v128.const f64x2 0.5 0.5) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))))
        (local.set $k0 (v128.and (local.get $k0) (f64x2.gt (local.get $abs0) (v128.const i64x2 0x3fd62e42ffffffff 0x3fd62e42ffffffff))))
        (local.set $hi0 (f64x2.sub (local.get $t0)
          (f64x2.mul (local.get $k0) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
        (local.set $lo0 (f64x2.mul (local.get $k0) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
        (local.set $r0 (f64x2.sub (local.get $hi0) (local.get $lo0)))
        ;; c = r − r²·(P1 + r²·(P2 + r²·(P3 + r²·(P4 + r²·P5))))
        (local.set $rr0 (f64x2.mul (local.get $r0) (local.get $r0)))
        (local.set $c0 (f64x2.mul (local.get $rr0) (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08)))
        (local.set $c0 (f64x2.mul (local.get $rr0) (f64x2.add (local.get $c0) (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06))))
        (local.set $c0 (f64x2.mul (local.get $rr0) (f64x2.add (local.get $c0) (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05))))
        (local.set $c0 (f64x2.mul (local.get $rr0) (f64x2.add (local.get $c0) (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03))))
        (local.set $c0 (f64x2.mul (local.get $rr0) (f64x2.add (local.get $c0) (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01))))
        (local.set $c0 (f64x2.sub (local.get $r0) (local.get $c0)))
        ;; fdlibm: k = 0 → 1 − ((r·c)/(c − 2) − r); else (1 − ((lo − (r·c)/(2 − c)) − hi))·2^k. With
        ;; q = (r·c)/(c − 2), (r·c)/(2 − c) is exactly −q, and for k = 0 (lo = 0, hi = r) the second
        ;; form is the first: one expression, one division, serves every lane.
        (local.set $q0 (f64x2.div (f64x2.mul (local.get $r0) (local.get $c0)) (f64x2.sub (local.get $c0) (v128.const f64x2 2 2))))
        (local.set $y0 (f64x2.sub (v128.const f64x2 1 1)
          (f64x2.sub (f64x2.add (local.get $lo0) (local.get $q0)) (local.get $hi0))))
        ;; 2^k from the bits of k + (2^52 + 1023), whose low bits are the integer k + 1023.
        (local.set $scale0 (i64x2.shl (f64x2.add (local.get $k0) (v128.const f64x2 0x1.00000000003ffp+52 0x1.00000000003ffp+52))
          (i32.const 52)))
        (local.set $y0 (f64x2.mul (local.get $y0) (local.get $scale0)))
        (local.set $y0 (v128.bitselect (f64x2.add (v128.const f64x2 1 1) (local.get $t0)) (local.get $y0)
          (f64x2.lt (local.get $abs0) (v128.const f64x2 0x1p-28 0x1p-28))))
        (local.set $y0 (f32x4.demote_f64x2_zero (f64x2.div (v128.const f64x2 1 1) (f64x2.add (v128.const f64x2 1 1) (local.get $y0)))))
        (local.set $t1 (f64x2.neg (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $x)))))
        (local.set $t1 (f64x2.pmax (f64x2.pmin (local.get $t1) (v128.const f64x2 709 709)) (v128.const f64x2 -708 -708)))
        ;; fdlibm's tests on hx, the high word of |t|, as float64 comparisons of |t|: hx > 0x3fd62e42
        ;; (about 0.5·ln2: reduce, k = (int)(t/ln2 ± 0.5)) and hx < 0x3e300000 (|t| < 2^−28: 1 + t).
        (local.set $abs1 (f64x2.abs (local.get $t1)))
        (local.set $k1 (f64x2.trunc (f64x2.add
          (f64x2.mul (local.get $t1) (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
          (v128.bitselect (local.get $t1) (v128.const f64x2 0.5 0.5) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))))
        (local.set $k1 (v128.and (local.get $k1) (f64x2.gt (local.get $abs1) (v128.const i64x2 0x3fd62e42ffffffff 0x3fd62e42ffffffff))))
        (local.set $hi1 (f64x2.sub (local.get $t1)
          (f64x2.mul (local.get $k1) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
        (local.set $lo1 (f64x2.mul (local.get $k1) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
        (local.set $r1 (f64x2.sub (local.get $hi1) (local.get $lo1)))
        ;; c = r − r²·(P1 + r²·(P2 + r²·(P3 + r²·(P4 + r²·P5))))
        (local.set $rr1 (f64x2.mul (local.get $r1) (local.get $r1)))
        (local.set $c1 (f64x2.mul (local.get $rr1) (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08)))
        (local.set $c1 (f64x2.mul (local.get $rr1) (f64x2.add (local.get $c1) (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06))))
        (local.set $c1 (f64x2.mul (local.get $rr1) (f64x2.add (local.get $c1) (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05))))
        (local.set $c1 (f64x2.mul (local.get $rr1) (f64x2.add (local.get $c1) (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03))))
        (local.set $c1 (f64x2.mul (local.get $rr1) (f64x2.add (local.get $c1) (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01))))
        (local.set $c1 (f64x2.sub (local.get $r1) (local.get $c1)))
        ;; fdlibm: k = 0 → 1 − ((r·c)/(c − 2) − r); else (1 − ((lo − (r·c)/(2 − c)) − hi))·2^k. With
        ;; q = (r·c)/(c − 2), (r·c)/(2 − c) is exactly −q, and for k = 0 (lo = 0, hi = r) the second
        ;; form is the first: one expression, one division, serves every lane.
        (local.set $q1 (f64x2.div (f64x2.mul (local.get $r1) (local.get $c1)) (f64x2.sub (local.get $c1) (v128.const f64x2 2 2))))
        (local.set $y1 (f64x2.sub (v128.const f64x2 1 1)
          (f64x2.sub (f64x2.add (local.get $lo1) (local.get $q1)) (local.get $hi1))))
        ;; 2^k from the bits of k + (2^52 + 1023), whose low bits are the integer k + 1023.
        (local.set $scale1 (i64x2.shl (f64x2.add (local.get $k1) (v128.const f64x2 0x1.00000000003ffp+52 0x1.00000000003ffp+52))
          (i32.const 52)))
        (local.set $y1 (f64x2.mul (local.get $y1) (local.get $scale1)))
        (local.set $y1 (v128.bitselect (f64x2.add (v128.const f64x2 1 1) (local.get $t1)) (local.get $y1)
          (f64x2.lt (local.get $abs1) (v128.const f64x2 0x1p-28 0x1p-28))))
        (local.set $y1 (f32x4.demote_f64x2_zero (f64x2.div (v128.const f64x2 1 1) (f64x2.add (v128.const f64x2 1 1) (local.get $y1)))))
        (local.set $t2 (f64x2.neg (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $x)))))
        (local.set $t2 (f64x2.pmax (f64x2.pmin (local.get $t2) (v128.const f64x2 709 709)) (v128.const f64x2 -708 -708)))
        ;; fdlibm's tests on hx, the high word of |t|, as float64 comparisons of |t|: hx > 0x3fd62e42
        ;; (about 0.5·ln2: reduce, k = (int)(t/ln2 ± 0.5)) and hx < 0x3e300000 (|t| < 2^−28: 1 + t).
        (local.set $abs2 (f64x2.abs (local.get $t2)))
        (local.set $k2 (f64x2.trunc (f64x2.add
          (f64x2.mul (local.get $t2) (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
          (v128.bitselect (local.get $t2) (v128.const f64x2 0.5 0.5) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))))
        (local.set $k2 (v128.and (local.get $k2) (f64x2.gt (local.get $abs2) (v128.const i64x2 0x3fd62e42ffffffff 0x3fd62e42ffffffff))))
        (local.set $hi2 (f64x2.sub (local.get $t2)
          (f64x2.mul (local.get $k2) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
        (local.set $lo2 (f64x2.mul (local.get $k2) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
        (local.set $r2 (f64x2.sub (local.get $hi2) (local.get $lo2)))
        ;; c = r − r²·(P1 + r²·(P2 + r²·(P3 + r²·(P4 + r²·P5))))
        (local.set $rr2 (f64x2.mul (local.get $r2) (local.get $r2)))
        (local.set $c2 (f64x2.mul (local.get $rr2) (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08)))
        (local.set $c2 (f64x2.mul (local.get $rr2) (f64x2.add (local.get $c2) (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06))))
        (local.set $c2 (f64x2.mul (local.get $rr2) (f64x2.add (local.get $c2) (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05))))
        (local.set $c2 (f64x2.mul (local.get $rr2) (f64x2.add (local.get $c2) (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03))))
        (local.set $c2 (f64x2.mul (local.get $rr2) (f64x2.add (local.get $c2) (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01))))
        (local.set $c2 (f64x2.sub (local.get $r2) (local.get $c2)))
        ;; fdlibm: k = 0 → 1 − ((r·c)/(c − 2) − r); else (1 − ((lo − (r·c)/(2 − c)) − hi))·2^k. With
        ;; q = (r·c)/(c − 2), (r·c)/(2 − c) is exactly −q, and for k = 0 (lo = 0, hi = r) the second
        ;; form is the first: one expression, one division, serves every lane.
        (local.set $q2 (f64x2.div (f64x2.mul (local.get $r2) (local.get $c2)) (f64x2.sub (local.get $c2) (v128.const f64x2 2 2))))
        (local.set $y2 (f64x2.sub (v128.const f64x2 1 1)
          (f64x2.sub (f64x2.add (local.get $lo2) (local.get $q2)) (local.get $hi2))))
        ;; 2^k from the bits of k + (2^52 + 1023), whose low bits are the integer k + 1023.
        (local.set $scale2 (i64x2.shl (f64x2.add (local.get $k2) (v128.const f64x2 0x1.00000000003ffp+52 0x1.00000000003ffp+52))
          (i32.const 52)))
        (local.set $y2 (f64x2.mul (local.get $y2) (local.get $scale2)))
        (local.set $y2 (v128.bitselect (f64x2.add (v128.const f64x2 1 1) (local.get $t2)) (local.get $y2)
          (f64x2.lt (local.get $abs2) (v128.const f64x2 0x1p-28 0x1p-28))))
        (local.set $y2 (f32x4.demote_f64x2_zero (f64x2.div (v128.const f64x2 1 1) (f64x2.add (v128.const f64x2 1 1) (local.get $y2)))))
        (local.set $t3 (f64x2.neg (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $x)))))
        (local.set $t3 (f64x2.pmax (f64x2.pmin (local.get $t3) (v128.const f64x2 709 709)) (v128.const f64x2 -708 -708)))
        ;; fdlibm's tests on hx, the high word of |t|, as float64 comparisons of |t|: hx > 0x3fd62e42
        ;; (about 0.5·ln2: reduce, k = (int)(t/ln2 ± 0.5)) and hx < 0x3e300000 (|t| < 2^−28: 1 + t).
        (local.set $abs3 (f64x2.abs (local.get $t3)))
        (local.set $k3 (f64x2.trunc (f64x2.add
          (f64x2.mul (local.get $t3) (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
          (v128.bitselect (local.get $t3) (v128.const f64x2 0.5 0.5) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))))
        (local.set $k3 (v128.and (local.get $k3) (f64x2.gt (local.get $abs3) (v128.const i64x2 0x3fd62e42ffffffff 0x3fd62e42ffffffff))))
        (local.set $hi3 (f64x2.sub (local.get $t3)
          (f64x2.mul (local.get $k3) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
        (local.set $lo3 (f64x2.mul (local.get $k3) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
        (local.set $r3 (f64x2.sub (local.get $hi3) (local.get $lo3)))
        ;; c = r − r²·(P1 + r²·(P2 + r²·(P3 + r²·(P4 + r²·P5))))
        (local.set $rr3 (f64x2.mul (local.get $r3) (local.get $r3)))
        (local.set $c3 (f64x2.mul (local.get $rr3) (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08)))
        (local.set $c3 (f64x2.mul (local.get $rr3) (f64x2.add (local.get $c3) (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06))))
        (local.set $c3 (f64x2.mul (local.get $rr3) (f64x2.add (local.get $c3) (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05))))
        (local.set $c3 (f64x2.mul (local.get $rr3) (f64x2.add (local.get $c3) (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03))))
        (local.set $c3 (f64x2.mul (local.get $rr3) (f64x2.add (local.get $c3) (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01))))
        (local.set $c3 (f64x2.sub (local.get $r3) (local.get $c3)))
        ;; fdlibm: k = 0 → 1 − ((r·c)/(c − 2) − r); else (1 − ((lo − (r·c)/(2 − c)) − hi))·2^k. With
        ;; q = (r·c)/(c − 2), (r·c)/(2 − c) is exactly −q, and for k = 0 (lo = 0, hi = r) the second
        ;; form is the first: one expression, one division, serves every lane.
        (local.set $q3 (f64x2.div (f64x2.mul (local.get $r3) (local.get $c3)) (f64x2.sub (local.get $c3) (v128.const f64x2 2 2))))
        (local.set $y3 (f64x2.sub (v128.const f64x2 1 1)
          (f64x2.sub (f64x2.add (local.get $lo3) (local.get $q3)) (local.get $hi3))))
        ;; 2^k from the bits of k + (2^52 + 1023), whose low bits are the integer k + 1023.
        (local.set $scale3 (i64x2.shl (f64x2.add (local.get $k3) (v128.const f64x2 0x1.00000000003ffp+52 0x1.00000000003ffp+52))
          (i32.const 52)))
        (local.set $y3 (f64x2.mul (local.get $y3) (local.get $scale3)))
        (local.set $y3 (v128.bitselect (f64x2.add (v128.const f64x2 1 1) (local.get $t3)) (local.get $y3)
          (f64x2.lt (local.get $abs3) (v128.const f64x2 0x1p-28 0x1p-28))))
        (local.set $y3 (f32x4.demote_f64x2_zero (f64x2.div (v128.const f64x2 1 1) (f64x2.add (v128.const f64x2 1 1) (local.get $y3)))))
        (v128.store64_lane offset=0 0 (local.get $out) (local.get $y0))
        (v128.store64_lane offset=8 0 (local.get $out) (local.get $y1))
        (v128.store64_lane offset=16 0 (local.get $out) (local.get $y2))
        (v128.store64_lane offset=24 0 (local.get $out) (local.get $y3))
        (local.set $x (i32.add (local.get $x) (i32.const 32)))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (br $eights)))
    (local.set $n (i32.and (local.get $n) (i32.const 7)))
    (local.set $pairs (i32.shr_u (i32.add (local.get $n) (i32.const 1)) (i32.const 1)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $pairs) (i32.const 3))))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        ;; An odd n reads one float past the input (the host leaves room) and stores one lane only.
        (local.set $t (f64x2.neg (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x)))))
        (local.set $t (f64x2.pmax (f64x2.pmin (local.get $t) (v128.const f64x2 709 709)) (v128.const f64x2 -708 -708)))
        ;; fdlibm's tests on hx, the high word of |t|, as float64 comparisons of |t|: hx > 0x3fd62e42
        ;; (about 0.5·ln2: reduce, k = (int)(t/ln2 ± 0.5)) and hx < 0x3e300000 (|t| < 2^−28: 1 + t).
        (local.set $abs (f64x2.abs (local.get $t)))
        (local.set $k (f64x2.trunc (f64x2.add
          (f64x2.mul (local.get $t) (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
          (v128.bitselect (local.get $t) (v128.const f64x2 0.5 0.5) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))))
        (local.set $k (v128.and (local.get $k) (f64x2.gt (local.get $abs) (v128.const i64x2 0x3fd62e42ffffffff 0x3fd62e42ffffffff))))
        (local.set $hi (f64x2.sub (local.get $t)
          (f64x2.mul (local.get $k) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
        (local.set $lo (f64x2.mul (local.get $k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
        (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
        ;; c = r − r²·(P1 + r²·(P2 + r²·(P3 + r²·(P4 + r²·P5))))
        (local.set $rr (f64x2.mul (local.get $r) (local.get $r)))
        (local.set $c (f64x2.mul (local.get $rr) (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08)))
        (local.set $c (f64x2.mul (local.get $rr) (f64x2.add (local.get $c) (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06))))
        (local.set $c (f64x2.mul (local.get $rr) (f64x2.add (local.get $c) (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05))))
        (local.set $c (f64x2.mul (local.get $rr) (f64x2.add (local.get $c) (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03))))
        (local.set $c (f64x2.mul (local.get $rr) (f64x2.add (local.get $c) (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01))))
        (local.set $c (f64x2.sub (local.get $r) (local.get $c)))
        ;; fdlibm: k = 0 → 1 − ((r·c)/(c − 2) − r); else (1 − ((lo − (r·c)/(2 − c)) − hi))·2^k. With
        ;; q = (r·c)/(c − 2), (r·c)/(2 − c) is exactly −q, and for k = 0 (lo = 0, hi = r) the second
        ;; form is the first: one expression, one division, serves every lane.
        (local.set $q (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (local.get $c) (v128.const f64x2 2 2))))
        (local.set $y (f64x2.sub (v128.const f64x2 1 1)
          (f64x2.sub (f64x2.add (local.get $lo) (local.get $q)) (local.get $hi))))
        ;; 2^k from the bits of k + (2^52 + 1023), whose low bits are the integer k + 1023.
        (local.set $scale (i64x2.shl (f64x2.add (local.get $k) (v128.const f64x2 0x1.00000000003ffp+52 0x1.00000000003ffp+52))
          (i32.const 52)))
        (local.set $y (f64x2.mul (local.get $y) (local.get $scale)))
        (local.set $y (v128.bitselect (f64x2.add (v128.const f64x2 1 1) (local.get $t)) (local.get $y)
          (f64x2.lt (local.get $abs) (v128.const f64x2 0x1p-28 0x1p-28))))
        (local.set $y (f32x4.demote_f64x2_zero (f64x2.div (v128.const f64x2 1 1) (f64x2.add (v128.const f64x2 1 1) (local.get $y)))))
        (if (i32.and (i32.eq (i32.add (local.get $x) (i32.const 8)) (local.get $end)) (i32.and (local.get $n) (i32.const 1)))
          (then (v128.store32_lane 0 (local.get $out) (local.get $y)))
          (else (v128.store64_lane 0 (local.get $out) (local.get $y))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $pair))))

  ;; Activation gradients over n values, gx = f(g, y) with y the forward's output, two values at a
  ;; time in float64 exactly as the 'js' loops evaluate them, then rounded to float32:
  ;;   op 0 sigmoid: (g·(1 − y))·y     op 1 tanh: g·(1 − y·y)     op 2 relu: y > 0 ? g : 0
  (func (export "activation_backward") (param $op i32) (param $g i32) (param $y i32) (param $out i32) (param $n i32)
    (local $end i32) (local $gv v128) (local $yv v128) (local $r v128) (local $one v128)
    (local $gs f64) (local $ys f64) (local $rs f64)
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $end (i32.add (local.get $g) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $g) (local.get $end)))
        (local.set $gv (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $g))))
        (local.set $yv (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $y))))
        (if (i32.eqz (local.get $op))
          (then (local.set $r (f64x2.mul (f64x2.mul (local.get $gv) (f64x2.sub (local.get $one) (local.get $yv))) (local.get $yv))))
          (else (if (i32.eq (local.get $op) (i32.const 1))
            (then (local.set $r (f64x2.mul (local.get $gv) (f64x2.sub (local.get $one) (f64x2.mul (local.get $yv) (local.get $yv))))))
            (else (local.set $r (v128.and (local.get $gv) (f64x2.gt (local.get $yv) (v128.const f64x2 0 0))))))))
        (v128.store64_lane 0 (local.get $out) (f32x4.demote_f64x2_zero (local.get $r)))
        (local.set $g (i32.add (local.get $g) (i32.const 8)))
        (local.set $y (i32.add (local.get $y) (i32.const 8)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $pairs)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $gs (f64.promote_f32 (f32.load (local.get $g))))
        (local.set $ys (f64.promote_f32 (f32.load (local.get $y))))
        (if (i32.eqz (local.get $op))
          (then (local.set $rs (f64.mul (f64.mul (local.get $gs) (f64.sub (f64.const 1) (local.get $ys))) (local.get $ys))))
          (else (if (i32.eq (local.get $op) (i32.const 1))
            (then (local.set $rs (f64.mul (local.get $gs) (f64.sub (f64.const 1) (f64.mul (local.get $ys) (local.get $ys))))))
            (else (local.set $rs (select (local.get $gs) (f64.const 0) (f64.gt (local.get $ys) (f64.const 0))))))))
        (f32.store (local.get $out) (f32.demote_f64 (local.get $rs))))))

  ;; Column sums of a row-major (R, C) float32 array: float64 sums in row order (two columns a
  ;; lane pair at a time), rounded once to float32 into out, as the 'js' loop does. acc: 8·C bytes
  ;; of scratch (16-aligned); C is even here (the host sums an odd last column itself).
  (func (export "column_sums") (param $src i32) (param $R i32) (param $C i32) (param $acc i32) (param $out i32)
    (local $j i32) (local $cb i32) (local $a i32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 3)))
    (local.set $j (i32.const 0))
    (block $zeroed (loop $zero
      (br_if $zeroed (i32.ge_u (local.get $j) (local.get $cb)))
      (v128.store (i32.add (local.get $acc) (local.get $j)) (v128.const i64x2 0 0))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $zero)))
    (block $summed (loop $rows
      (br_if $summed (i32.eqz (local.get $R)))
      (local.set $a (local.get $acc))
      (local.set $j (i32.add (local.get $acc) (local.get $cb)))
      (loop $cols
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a))
          (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $src)))))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (br_if $cols (i32.lt_u (local.get $a) (local.get $j))))
      (local.set $R (i32.sub (local.get $R) (i32.const 1)))
      (br $rows)))
    (local.set $j (i32.const 0))
    (block $done (loop $round
      (br_if $done (i32.ge_u (local.get $j) (local.get $cb)))
      (v128.store64_lane 0 (local.get $out) (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $acc) (local.get $j)))))
      (local.set $out (i32.add (local.get $out) (i32.const 8)))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $round))))
)
