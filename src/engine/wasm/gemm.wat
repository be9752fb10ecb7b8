;; f32x4 SIMD matrix-multiply kernels for src/engine/kernels/matmul.ts (backend 'wasm'; host side wasm/gemm.ts).
;; Assembled by scripts/build-wasm.mjs (wabt) into gemm.generated.ts (base64), which is committed.
;;
;; All pointers and strides are in BYTES into the imported memory "env" "memory". The host never
;; grows it: memory.grow detaches the old ArrayBuffer, which in V8 disables the fast path of every
;; typed-array access in the process (the "array buffer detaching" protector), slowing unrelated JS
;; kernels by ~30%. It instantiates the module again on a larger fresh memory instead.
;; Layout used by the host (see wasm/kernels.ts):
;;   op(A) unpacked, any strides: op(A)[i,k] at a + i*sai + k*sak (read with load32_splat);
;;   op(B) packed by $pack_b into panels of 8 columns: panel p, row k at bp + p*pstride + k*32;
;;   C a row-major float32 buffer whose row stride ldc covers the panels (8·panels floats).
;; Register tile: 4 rows × 8 columns = 8 f32x4 accumulators. This text is the baseline-SIMD
;; module (mul + add: every product is rounded before it is added, like a non-FMA float32 BLAS).
;; @variant fma
;; The line above makes scripts/build-wasm.mjs also emit a relaxed-SIMD module in which every
;; accumulate `(f32x4.add acc (f32x4.mul x b))` is one `f32x4.relaxed_madd` (a single rounding on
;; CPUs with FMA: ~20% faster here, as the tile is bound by the floating-point ports).
(module
  (import "env" "memory" (memory 1))

  ;; Packs K×N op(B) (op(B)[k,j] at src + k*sbk + j*sbj, strides in elements) into
  ;; ceil(N/8) panels of K rows × 8 floats at dst; columns past N are zero.
  (func (export "pack_b") (param $src i32) (param $sbk i32) (param $sbj i32)
        (param $K i32) (param $N i32) (param $dst i32)
    (local $p i32) (local $np i32) (local $k i32) (local $c i32) (local $j i32)
    (local $s i32) (local $d i32) (local $sbk4 i32) (local $sbj4 i32) (local $pbase i32) (local $kc i32)
    (local.set $sbk4 (i32.shl (local.get $sbk) (i32.const 2)))
    (local.set $sbj4 (i32.shl (local.get $sbj) (i32.const 2)))
    (local.set $np (i32.shr_u (i32.add (local.get $N) (i32.const 7)) (i32.const 3)))
    (if (i32.eqz (local.get $K)) (then (return)))
    (block $done
      (loop $panels
        (br_if $done (i32.ge_u (local.get $p) (local.get $np)))
        (local.set $pbase (i32.add (local.get $dst)
          (i32.shl (i32.mul (local.get $p) (local.get $K)) (i32.const 5))))
        (local.set $j (i32.shl (local.get $p) (i32.const 3)))
        (if (i32.and (i32.eq (local.get $sbj) (i32.const 1))
                     (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $N)))
          (then
            ;; Full panel of a row-major op(B): two vectors per row.
            (local.set $s (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $d (local.get $pbase))
            (local.set $k (local.get $K))
            (loop $rows
              (v128.store (local.get $d) (v128.load (local.get $s)))
              (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $s)))
              (local.set $s (i32.add (local.get $s) (local.get $sbk4)))
              (local.set $d (i32.add (local.get $d) (i32.const 32)))
              (local.set $k (i32.sub (local.get $k) (i32.const 1)))
              (br_if $rows (local.get $k))))
          (else
            ;; Full panel of op(B) = Mᵀ with M row-major (sbk = 1: each column contiguous along k,
            ;; linear's forward): 4×4 transposes of the 8 columns, 4 k at a time (the rest below).
            (local.set $k (i32.const 0))
            (if (i32.and (i32.eq (local.get $sbk) (i32.const 1))
                         (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $N)))
              (then
                (local.set $s (i32.add (local.get $src) (i32.mul (local.get $j) (local.get $sbj4))))
                (local.set $d (local.get $pbase))
                (block $quads_done
                  (loop $quads
                    (br_if $quads_done (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $K)))
                    (call $transpose4 (local.get $s) (local.get $sbj4) (local.get $d))
                    (call $transpose4 (i32.add (local.get $s) (i32.shl (local.get $sbj4) (i32.const 2))) (local.get $sbj4)
                                      (i32.add (local.get $d) (i32.const 16)))
                    (local.set $s (i32.add (local.get $s) (i32.const 16)))
                    (local.set $d (i32.add (local.get $d) (i32.const 128)))
                    (local.set $k (i32.add (local.get $k) (i32.const 4)))
                    (br $quads)))))
            ;; Edge panel, strided columns, or the last K % 4 rows of the case above: one column at a
            ;; time from row k (contiguous along k when sbk = 1).
            (block $next
            (br_if $next (i32.ge_u (local.get $k) (local.get $K)))
            (local.set $kc (local.get $k))
            (local.set $c (i32.const 0))
            (loop $cols
              (local.set $d (i32.add (i32.add (local.get $pbase) (i32.shl (local.get $c) (i32.const 2)))
                                     (i32.shl (local.get $kc) (i32.const 5))))
              (local.set $k (i32.sub (local.get $K) (local.get $kc)))
              (if (i32.lt_u (local.get $j) (local.get $N))
                (then
                  (local.set $s (i32.add (i32.add (local.get $src) (i32.mul (local.get $j) (local.get $sbj4)))
                                         (i32.mul (local.get $kc) (local.get $sbk4))))
                  (loop $col
                    (f32.store (local.get $d) (f32.load (local.get $s)))
                    (local.set $s (i32.add (local.get $s) (local.get $sbk4)))
                    (local.set $d (i32.add (local.get $d) (i32.const 32)))
                    (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                    (br_if $col (local.get $k))))
                (else
                  (loop $zero
                    (f32.store (local.get $d) (f32.const 0))
                    (local.set $d (i32.add (local.get $d) (i32.const 32)))
                    (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                    (br_if $zero (local.get $k)))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br_if $cols (i32.lt_u (local.get $c) (i32.const 8)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $panels))))

  ;; Rows k..k+3 of 4 packed columns: reads 4 floats along k from each of the columns at src,
  ;; src + stride, src + 2·stride, src + 3·stride; writes 4 rows of 4 floats 32 bytes apart at dst.
  (func $transpose4 (param $src i32) (param $stride i32) (param $dst i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $v0 (v128.load (local.get $src)))
    (local.set $v1 (v128.load (i32.add (local.get $src) (local.get $stride))))
    (local.set $v2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $stride) (i32.const 1)))))
    (local.set $v3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $stride) (i32.const 3)))))
    ;; t0 = (v0₀ v1₀ v0₁ v1₁), t1 = (v0₂ v1₂ v0₃ v1₃), t2, t3 the same of v2, v3.
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
    (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
    (v128.store offset=32 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
    (v128.store offset=64 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
    (v128.store offset=96 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3))))

  ;; C[4 rows, 8 cols] (=|+=) Σ_k A[4 rows, k] · Bpanel[k, 8 cols], kc ≥ 1.
  (func $tile4 (param $a i32) (param $sai i32) (param $sak i32) (param $b i32) (param $kc i32)
        (param $c i32) (param $ldc i32) (param $acc i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $a1 (i32.add (local.get $a) (local.get $sai)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $sai)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $sai)))
    (loop $k
      (local.set $b0 (v128.load (local.get $b)))
      (local.set $b1 (v128.load offset=16 (local.get $b)))
      (local.set $x (v128.load32_splat (local.get $a)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat (local.get $a1)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat (local.get $a2)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat (local.get $a3)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $a (i32.add (local.get $a) (local.get $sak)))
      (local.set $a1 (i32.add (local.get $a1) (local.get $sak)))
      (local.set $a2 (i32.add (local.get $a2) (local.get $sak)))
      (local.set $a3 (i32.add (local.get $a3) (local.get $sak)))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (local.set $kc (i32.sub (local.get $kc) (i32.const 1)))
      (br_if $k (local.get $kc)))
    (local.set $c1 (i32.add (local.get $c) (local.get $ldc)))
    (local.set $c2 (i32.add (local.get $c1) (local.get $ldc)))
    (local.set $c3 (i32.add (local.get $c2) (local.get $ldc)))
    (if (local.get $acc)
      (then
        (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $c))))
        (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $c))))
        (local.set $c10 (f32x4.add (local.get $c10) (v128.load (local.get $c1))))
        (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (local.get $c1))))
        (local.set $c20 (f32x4.add (local.get $c20) (v128.load (local.get $c2))))
        (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (local.get $c2))))
        (local.set $c30 (f32x4.add (local.get $c30) (v128.load (local.get $c3))))
        (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (local.get $c3))))))
    (v128.store (local.get $c) (local.get $c00))
    (v128.store offset=16 (local.get $c) (local.get $c01))
    (v128.store (local.get $c1) (local.get $c10))
    (v128.store offset=16 (local.get $c1) (local.get $c11))
    (v128.store (local.get $c2) (local.get $c20))
    (v128.store offset=16 (local.get $c2) (local.get $c21))
    (v128.store (local.get $c3) (local.get $c30))
    (v128.store offset=16 (local.get $c3) (local.get $c31)))

  ;; One row: C[1, 8] (=|+=) Σ_k A[k] · Bpanel[k, 8] (the M edge), kc ≥ 1.
  (func $tile1 (param $a i32) (param $sak i32) (param $b i32) (param $kc i32)
        (param $c i32) (param $acc i32)
    (local $x v128) (local $c00 v128) (local $c01 v128)
    (loop $k
      (local.set $x (v128.load32_splat (local.get $a)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (v128.load (local.get $b)))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (local.get $sak)))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (local.set $kc (i32.sub (local.get $kc) (i32.const 1)))
      (br_if $k (local.get $kc)))
    (if (local.get $acc)
      (then
        (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $c))))
        (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $c))))))
    (v128.store (local.get $c) (local.get $c00))
    (v128.store offset=16 (local.get $c) (local.get $c01)))

  ;; C[M, 8·np] (=|+=) op(A)[M, kc] · B over np packed panels (panel stride pstride), kc ≥ 1.
  ;; Panel-outer: a panel (kc × 32 bytes) stays in L1 while every row tile runs over it.
  (func (export "gemm") (param $a i32) (param $sai i32) (param $sak i32)
        (param $bp i32) (param $pstride i32) (param $np i32) (param $kc i32)
        (param $c i32) (param $ldc i32) (param $M i32) (param $acc i32)
    (local $p i32) (local $i i32) (local $b i32) (local $cj i32) (local $ai i32) (local $ci i32)
    (local $ldc4 i32) (local $sai4 i32) (local $m4 i32)
    (local.set $ldc4 (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $sai4 (i32.shl (local.get $sai) (i32.const 2)))
    (local.set $m4 (i32.and (local.get $M) (i32.const -4)))
    (block $done
      (loop $panels
        (br_if $done (i32.ge_u (local.get $p) (local.get $np)))
        (local.set $b (i32.add (local.get $bp) (i32.mul (local.get $p) (local.get $pstride))))
        (local.set $cj (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 5))))
        (local.set $i (i32.const 0))
        (local.set $ai (local.get $a))
        (local.set $ci (local.get $cj))
        (block $tiles_done
          (loop $tiles
            (br_if $tiles_done (i32.ge_u (local.get $i) (local.get $m4)))
            (call $tile4 (local.get $ai) (local.get $sai) (local.get $sak) (local.get $b) (local.get $kc)
                         (local.get $ci) (local.get $ldc) (local.get $acc))
            (local.set $ai (i32.add (local.get $ai) (local.get $sai4)))
            (local.set $ci (i32.add (local.get $ci) (local.get $ldc4)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $tiles)))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $i) (local.get $M)))
            (call $tile1 (local.get $ai) (local.get $sak) (local.get $b) (local.get $kc)
                         (local.get $ci) (local.get $acc))
            (local.set $ai (i32.add (local.get $ai) (local.get $sai)))
            (local.set $ci (i32.add (local.get $ci) (local.get $ldc)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $panels))))

  ;; out[M, N] (row-major, compact) = c[M, N] (row stride ldc bytes) + bias[N] (bias = 0: none).
  (func (export "finish") (param $c i32) (param $ldc i32) (param $out i32) (param $M i32)
        (param $N i32) (param $bias i32)
    (local $j i32) (local $n4 i32) (local $n4b i32) (local $nb i32)
    (local.set $n4 (i32.and (local.get $N) (i32.const -4)))
    (local.set $n4b (i32.shl (local.get $n4) (i32.const 2)))
    (local.set $nb (i32.shl (local.get $N) (i32.const 2)))
    (if (i32.eqz (local.get $M)) (then (return)))
    (loop $rows
      (local.set $j (i32.const 0))
      (block $vec_done
        (loop $vec
          (br_if $vec_done (i32.ge_u (local.get $j) (local.get $n4b)))
          (v128.store (i32.add (local.get $out) (local.get $j))
            (if (result v128) (local.get $bias)
              (then (f32x4.add (v128.load (i32.add (local.get $c) (local.get $j)))
                               (v128.load (i32.add (local.get $bias) (local.get $j)))))
              (else (v128.load (i32.add (local.get $c) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $vec)))
      (block $tail_done
        (loop $tail
          (br_if $tail_done (i32.ge_u (local.get $j) (local.get $nb)))
          (f32.store (i32.add (local.get $out) (local.get $j))
            (if (result f32) (local.get $bias)
              (then (f32.add (f32.load (i32.add (local.get $c) (local.get $j)))
                             (f32.load (i32.add (local.get $bias) (local.get $j)))))
              (else (f32.load (i32.add (local.get $c) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $tail)))
      (local.set $c (i32.add (local.get $c) (local.get $ldc)))
      (local.set $out (i32.add (local.get $out) (local.get $nb)))
      (local.set $M (i32.sub (local.get $M) (i32.const 1)))
      (br_if $rows (local.get $M))))
)
