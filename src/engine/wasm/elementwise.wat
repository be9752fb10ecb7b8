;; Element-wise kernels for the 'wasm' backend (host side in wasm/elementwise.ts): the SGD update
;; and activation gradients. Assembled by scripts/build-wasm.mjs (wabt) into
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
)
