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

;; ---- Zero skipping: C = op(A)·op(B) where op(A) is mostly zeros (MNIST's pixels: ~80%) ----
;; The dense kernel over the k where a tile of 4 rows of op(A) is not all zeros (a tile of MNIST
;; images: ~40% of the pixels; 4 neighbouring pixels over a batch, the weight gradient's transposed
;; tiles: ~30%). The same register tile and packed panels as $tile4, the same products in the same
;; order of k, summed from zero within each K slice: bit for bit the dense result (a skipped column
;; adds exact zeros). The host uses it only when op(B) is finite ($max_exponent): 0·Inf is NaN.

  ;; Zeros among n floats at p (n ≥ 0): the host's test of whether skipping them pays.
  (func (export "count_zeros") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $end4 i32) (local $acc v128) (local $count i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vec_done
      (loop $vec
        (br_if $vec_done (i32.ge_u (local.get $p) (local.get $end4)))
        ;; f32x4.eq gives −1 in each lane that is ±0.
        (local.set $acc (i32x4.sub (local.get $acc) (f32x4.eq (v128.load (local.get $p)) (v128.const f32x4 0 0 0 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vec)))
    (local.set $count (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
      (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $count (i32.add (local.get $count) (f32.eq (f32.load (local.get $p)) (f32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail)))
    (local.get $count))

  ;; The largest exponent field among n floats at p: 255 when one of them is Inf or NaN.
  (func (export "max_exponent") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $end4 i32) (local $acc v128) (local $max i32) (local $e i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vec_done
      (loop $vec
        (br_if $vec_done (i32.ge_u (local.get $p) (local.get $end4)))
        (local.set $acc (i32x4.max_u (local.get $acc)
          (v128.and (v128.load (local.get $p)) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vec)))
    (local.set $max (i32.shr_u (i32.or
      (i32.or (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
      (i32.or (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))) (i32.const 23)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $e (i32.shr_u (i32.and (i32.load (local.get $p)) (i32.const 0x7f800000)) (i32.const 23)))
        (if (i32.gt_u (local.get $e) (local.get $max)) (then (local.set $max (local.get $e))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail)))
    (local.get $max))

  ;; The nonzero columns of each tile of 4 rows of op(A)[M, K] (op(A)[i,k] at a + i·sai + k·sak,
  ;; strides in BYTES): the k where one of the tile's rows is not zero (NaN included: it must reach
  ;; C), ascending, as k·32 (the column's row in a packed panel) at list and the tile's 4 values in
  ;; that column (zeros for rows past M) at vals, 16 bytes an entry; tile t's from entry starts[t]
  ;; to starts[t+1]. Branch-free: every column is written, the count moves on a nonzero one.
  ;; Returns the number of entries.
  (func (export "compress_tiles") (param $a i32) (param $sai i32) (param $sak i32) (param $M i32) (param $K i32)
        (param $list i32) (param $vals i32) (param $starts i32) (result i32)
    (local $t i32) (local $tiles i32) (local $rows i32) (local $k i32) (local $p i32) (local $n i32)
    (local $v v128) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $tiles (i32.shr_u (i32.add (local.get $M) (i32.const 3)) (i32.const 2)))
    (block $tiles_done
      (loop $tiles_loop
        (br_if $tiles_done (i32.ge_u (local.get $t) (local.get $tiles)))
        (i32.store (i32.add (local.get $starts) (i32.shl (local.get $t) (i32.const 2))) (local.get $n))
        (local.set $rows (i32.sub (local.get $M) (i32.shl (local.get $t) (i32.const 2))))
        (local.set $p (i32.add (local.get $a) (i32.mul (i32.shl (local.get $t) (i32.const 2)) (local.get $sai))))
        (local.set $k (i32.const 0))
        (if (i32.ge_u (local.get $rows) (i32.const 4))
          (then
            ;; A tile's 4 rows contiguous (sai = 4: the transposed operand of a weight gradient): a
            ;; column is one vector.
            (if (i32.eq (local.get $sai) (i32.const 4))
              (then
                (block $vec_done
                  (loop $vec
                    (br_if $vec_done (i32.ge_u (local.get $k) (local.get $K)))
                    (local.set $v (v128.load (local.get $p)))
                    (v128.store (i32.add (local.get $vals) (i32.shl (local.get $n) (i32.const 4))) (local.get $v))
                    (i32.store (i32.add (local.get $list) (i32.shl (local.get $n) (i32.const 2))) (i32.shl (local.get $k) (i32.const 5)))
                    (local.set $n (i32.add (local.get $n) (v128.any_true (f32x4.ne (local.get $v) (v128.const f32x4 0 0 0 0)))))
                    (local.set $p (i32.add (local.get $p) (local.get $sak)))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $vec)))))
            ;; Rows contiguous along k (sak = 4: a layer's input): 4 columns of the 4 rows a step,
            ;; transposed into 4 column vectors.
            (if (i32.eq (local.get $sak) (i32.const 4))
              (then
                (block $quad_done
                  (loop $quad
                    (br_if $quad_done (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $K)))
                    (local.set $v0 (v128.load (local.get $p)))
                    (local.set $v1 (v128.load (i32.add (local.get $p) (local.get $sai))))
                    (local.set $v2 (v128.load (i32.add (local.get $p) (i32.shl (local.get $sai) (i32.const 1)))))
                    (local.set $v3 (v128.load (i32.add (local.get $p) (i32.mul (local.get $sai) (i32.const 3)))))
                    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
                    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
                    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
                    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
                    (local.set $v0 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                    (local.set $v1 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                    (local.set $v2 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                    (local.set $v3 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                    (v128.store (i32.add (local.get $vals) (i32.shl (local.get $n) (i32.const 4))) (local.get $v0))
                    (i32.store (i32.add (local.get $list) (i32.shl (local.get $n) (i32.const 2))) (i32.shl (local.get $k) (i32.const 5)))
                    (local.set $n (i32.add (local.get $n) (v128.any_true (f32x4.ne (local.get $v0) (v128.const f32x4 0 0 0 0)))))
                    (v128.store (i32.add (local.get $vals) (i32.shl (local.get $n) (i32.const 4))) (local.get $v1))
                    (i32.store (i32.add (local.get $list) (i32.shl (local.get $n) (i32.const 2))) (i32.shl (i32.add (local.get $k) (i32.const 1)) (i32.const 5)))
                    (local.set $n (i32.add (local.get $n) (v128.any_true (f32x4.ne (local.get $v1) (v128.const f32x4 0 0 0 0)))))
                    (v128.store (i32.add (local.get $vals) (i32.shl (local.get $n) (i32.const 4))) (local.get $v2))
                    (i32.store (i32.add (local.get $list) (i32.shl (local.get $n) (i32.const 2))) (i32.shl (i32.add (local.get $k) (i32.const 2)) (i32.const 5)))
                    (local.set $n (i32.add (local.get $n) (v128.any_true (f32x4.ne (local.get $v2) (v128.const f32x4 0 0 0 0)))))
                    (v128.store (i32.add (local.get $vals) (i32.shl (local.get $n) (i32.const 4))) (local.get $v3))
                    (i32.store (i32.add (local.get $list) (i32.shl (local.get $n) (i32.const 2))) (i32.shl (i32.add (local.get $k) (i32.const 3)) (i32.const 5)))
                    (local.set $n (i32.add (local.get $n) (v128.any_true (f32x4.ne (local.get $v3) (v128.const f32x4 0 0 0 0)))))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (local.set $k (i32.add (local.get $k) (i32.const 4)))
                    (br $quad)))))))
        ;; Any strides, a last tile of fewer rows, and the columns left: one value at a time.
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $k) (local.get $K)))
            (local.set $v (f32x4.replace_lane 0 (v128.const f32x4 0 0 0 0) (f32.load (local.get $p))))
            (if (i32.gt_u (local.get $rows) (i32.const 1))
              (then (local.set $v (f32x4.replace_lane 1 (local.get $v) (f32.load (i32.add (local.get $p) (local.get $sai)))))))
            (if (i32.gt_u (local.get $rows) (i32.const 2))
              (then (local.set $v (f32x4.replace_lane 2 (local.get $v) (f32.load (i32.add (local.get $p) (i32.shl (local.get $sai) (i32.const 1))))))))
            (if (i32.gt_u (local.get $rows) (i32.const 3))
              (then (local.set $v (f32x4.replace_lane 3 (local.get $v) (f32.load (i32.add (local.get $p) (i32.mul (local.get $sai) (i32.const 3))))))))
            (v128.store (i32.add (local.get $vals) (i32.shl (local.get $n) (i32.const 4))) (local.get $v))
                    (i32.store (i32.add (local.get $list) (i32.shl (local.get $n) (i32.const 2))) (i32.shl (local.get $k) (i32.const 5)))
                    (local.set $n (i32.add (local.get $n) (v128.any_true (f32x4.ne (local.get $v) (v128.const f32x4 0 0 0 0)))))
            (local.set $p (i32.add (local.get $p) (local.get $sak)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $cols)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tiles_loop)))
    (i32.store (i32.add (local.get $starts) (i32.shl (local.get $tiles) (i32.const 2))) (local.get $n))
    (local.get $n))

  ;; C[4 rows, 8 cols] = Σ_k A[4 rows, k] · Bpanel[k, 8 cols] over the tile's entries q..e only
  ;; (compress_tiles: its nonzero columns, ascending, and their values): each K slice (`slice`:
  ;; bytes of panel rows, KC·32) summed from zero, stored (the first) or added to C, as $tile4 does
  ;; over every k. The values come packed with the entry, so the loop keeps few registers live.
  (func $tile4_list (param $vals i32) (param $list i32) (param $q i32) (param $e i32) (param $b i32)
        (param $c i32) (param $ldc i32) (param $slice i32)
    (local $end i32) (local $stop i32) (local $hi i32) (local $mid i32) (local $first i32) (local $vp i32) (local $kp i32) (local $kend i32) (local $bk i32) (local $c1 i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $end (local.get $slice))
    (local.set $first (i32.const 1))
    (loop $slices
      ;; This slice's entries: q up to stop, the first at or past its end.
      (local.set $stop (local.get $e))
      (if (i32.gt_u (local.get $e) (local.get $q))
        (then
          ;; Most often every entry is in this slice (K ≤ KC); else a binary search.
          (if (i32.ge_u (i32.load (i32.add (local.get $list) (i32.shl (i32.sub (local.get $e) (i32.const 1)) (i32.const 2)))) (local.get $end))
            (then
              (local.set $stop (local.get $q))
              (local.set $hi (local.get $e))
              (block $found
                (loop $search
                  (br_if $found (i32.ge_u (local.get $stop) (local.get $hi)))
                  (local.set $mid (i32.shr_u (i32.add (local.get $stop) (local.get $hi)) (i32.const 1)))
                  (if (i32.lt_u (i32.load (i32.add (local.get $list) (i32.shl (local.get $mid) (i32.const 2)))) (local.get $end))
                    (then (local.set $stop (i32.add (local.get $mid) (i32.const 1))))
                    (else (local.set $hi (local.get $mid))))
                  (br $search)))))))
      (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0)) (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0)) (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0)) (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
      (local.set $vp (i32.add (local.get $vals) (i32.shl (local.get $q) (i32.const 4))))
      (local.set $kp (i32.add (local.get $list) (i32.shl (local.get $q) (i32.const 2))))
      (local.set $kend (i32.add (local.get $list) (i32.shl (local.get $stop) (i32.const 2))))
      (block $run_done
        (loop $run
          (br_if $run_done (i32.ge_u (local.get $kp) (local.get $kend)))
          (local.set $bk (i32.add (local.get $b) (i32.load (local.get $kp))))
          (local.set $b0 (v128.load (local.get $bk)))
          (local.set $b1 (v128.load offset=16 (local.get $bk)))
          (local.set $x (v128.load32_splat (local.get $vp)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=4 (local.get $vp)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=8 (local.get $vp)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=12 (local.get $vp)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $vp (i32.add (local.get $vp) (i32.const 16)))
          (local.set $kp (i32.add (local.get $kp) (i32.const 4)))
          (br $run)))
      (local.set $q (local.get $stop))
      ;; The slice's sums: stored (the first slice) or added to the ones before.
      (if (i32.eqz (local.get $first))
        (then
          (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $c))))
          (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $c))))))
      (v128.store (local.get $c) (local.get $c00))
      (v128.store offset=16 (local.get $c) (local.get $c01))
      (local.set $c1 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))))
      (if (i32.eqz (local.get $first))
        (then
          (local.set $c10 (f32x4.add (local.get $c10) (v128.load (local.get $c1))))
          (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (local.get $c1))))))
      (v128.store (local.get $c1) (local.get $c10))
      (v128.store offset=16 (local.get $c1) (local.get $c11))
      (local.set $c1 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))))
      (if (i32.eqz (local.get $first))
        (then
          (local.set $c20 (f32x4.add (local.get $c20) (v128.load (local.get $c1))))
          (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (local.get $c1))))))
      (v128.store (local.get $c1) (local.get $c20))
      (v128.store offset=16 (local.get $c1) (local.get $c21))
      (local.set $c1 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))))
      (if (i32.eqz (local.get $first))
        (then
          (local.set $c30 (f32x4.add (local.get $c30) (v128.load (local.get $c1))))
          (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (local.get $c1))))))
      (v128.store (local.get $c1) (local.get $c30))
      (v128.store offset=16 (local.get $c1) (local.get $c31))
      (local.set $first (i32.const 0))
      (local.set $end (i32.add (local.get $end) (local.get $slice)))
      ;; Slices without entries add nothing: on to the slice of the next entry.
      (if (i32.lt_u (local.get $q) (local.get $e))
        (then
          (block $in_slice
            (loop $skip
              (br_if $in_slice (i32.lt_u (i32.load (i32.add (local.get $list) (i32.shl (local.get $q) (i32.const 2)))) (local.get $end)))
              (local.set $end (i32.add (local.get $end) (local.get $slice)))
              (br $skip)))
          (br $slices)))))

  ;; The same for one row (lane `lane` of the entries' values: the rows of a last tile of fewer than 4).
  (func $tile1_list (param $vals i32) (param $list i32) (param $q i32) (param $e i32) (param $b i32)
        (param $c i32) (param $lane i32) (param $slice i32)
    (local $end i32) (local $stop i32) (local $hi i32) (local $mid i32) (local $first i32) (local $vp i32) (local $kp i32) (local $kend i32) (local $bk i32) (local $c1 i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128)
    (local.set $vals (i32.add (local.get $vals) (i32.shl (local.get $lane) (i32.const 2))))
    (local.set $end (local.get $slice))
    (local.set $first (i32.const 1))
    (loop $slices
      ;; This slice's entries: q up to stop, the first at or past its end.
      (local.set $stop (local.get $e))
      (if (i32.gt_u (local.get $e) (local.get $q))
        (then
          ;; Most often every entry is in this slice (K ≤ KC); else a binary search.
          (if (i32.ge_u (i32.load (i32.add (local.get $list) (i32.shl (i32.sub (local.get $e) (i32.const 1)) (i32.const 2)))) (local.get $end))
            (then
              (local.set $stop (local.get $q))
              (local.set $hi (local.get $e))
              (block $found
                (loop $search
                  (br_if $found (i32.ge_u (local.get $stop) (local.get $hi)))
                  (local.set $mid (i32.shr_u (i32.add (local.get $stop) (local.get $hi)) (i32.const 1)))
                  (if (i32.lt_u (i32.load (i32.add (local.get $list) (i32.shl (local.get $mid) (i32.const 2)))) (local.get $end))
                    (then (local.set $stop (i32.add (local.get $mid) (i32.const 1))))
                    (else (local.set $hi (local.get $mid))))
                  (br $search)))))))
      (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
      (local.set $vp (i32.add (local.get $vals) (i32.shl (local.get $q) (i32.const 4))))
      (local.set $kp (i32.add (local.get $list) (i32.shl (local.get $q) (i32.const 2))))
      (local.set $kend (i32.add (local.get $list) (i32.shl (local.get $stop) (i32.const 2))))
      (block $run_done
        (loop $run
          (br_if $run_done (i32.ge_u (local.get $kp) (local.get $kend)))
          (local.set $bk (i32.add (local.get $b) (i32.load (local.get $kp))))
          (local.set $b0 (v128.load (local.get $bk)))
          (local.set $b1 (v128.load offset=16 (local.get $bk)))
          (local.set $x (v128.load32_splat (local.get $vp)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $vp (i32.add (local.get $vp) (i32.const 16)))
          (local.set $kp (i32.add (local.get $kp) (i32.const 4)))
          (br $run)))
      (local.set $q (local.get $stop))
      ;; The slice's sums: stored (the first slice) or added to the ones before.
      (if (i32.eqz (local.get $first))
        (then
          (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $c))))
          (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $c))))))
      (v128.store (local.get $c) (local.get $c00))
      (v128.store offset=16 (local.get $c) (local.get $c01))
      (local.set $first (i32.const 0))
      (local.set $end (i32.add (local.get $end) (local.get $slice)))
      ;; Slices without entries add nothing: on to the slice of the next entry.
      (if (i32.lt_u (local.get $q) (local.get $e))
        (then
          (block $in_slice
            (loop $skip
              (br_if $in_slice (i32.lt_u (i32.load (i32.add (local.get $list) (i32.shl (local.get $q) (i32.const 2)))) (local.get $end)))
              (local.set $end (i32.add (local.get $end) (local.get $slice)))
              (br $skip)))
          (br $slices)))))

  ;; C[M, 8·np] = op(A)[M, K] · B over np packed panels (pack_b; panel stride pstride), every tile
  ;; of 4 rows over its nonzero columns only (compress_tiles: list, vals, starts); slice: the dense
  ;; K slice in bytes of panel rows (KC·32), so that the sums are the dense kernel's, bit for bit.
  (func (export "gemm_sparse") (param $bp i32) (param $pstride i32) (param $np i32) (param $list i32)
        (param $vals i32) (param $starts i32) (param $c i32) (param $ldc i32) (param $M i32) (param $slice i32)
    (local $p i32) (local $t i32) (local $tiles i32) (local $r i32) (local $rows i32) (local $b i32)
    (local $cj i32) (local $q i32) (local $e i32) (local $ldc4 i32)
    (local.set $tiles (i32.shr_u (i32.add (local.get $M) (i32.const 3)) (i32.const 2)))
    (local.set $ldc4 (i32.shl (local.get $ldc) (i32.const 2)))
    (block $done
      (loop $panels
        (br_if $done (i32.ge_u (local.get $p) (local.get $np)))
        (local.set $b (i32.add (local.get $bp) (i32.mul (local.get $p) (local.get $pstride))))
        (local.set $cj (i32.add (local.get $c) (i32.shl (local.get $p) (i32.const 5))))
        (local.set $t (i32.const 0))
        (block $tiles_done
          (loop $tiles_loop
            (br_if $tiles_done (i32.ge_u (local.get $t) (local.get $tiles)))
            (local.set $q (i32.load (i32.add (local.get $starts) (i32.shl (local.get $t) (i32.const 2)))))
            (local.set $e (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $t) (i32.const 2)))))
            (local.set $rows (i32.sub (local.get $M) (i32.shl (local.get $t) (i32.const 2))))
            (if (i32.ge_u (local.get $rows) (i32.const 4))
              (then
                (call $tile4_list (local.get $vals) (local.get $list) (local.get $q) (local.get $e) (local.get $b)
                  (i32.add (local.get $cj) (i32.mul (local.get $t) (local.get $ldc4))) (local.get $ldc) (local.get $slice)))
              (else
                (local.set $r (i32.const 0))
                (loop $rows_loop
                  (call $tile1_list (local.get $vals) (local.get $list) (local.get $q) (local.get $e) (local.get $b)
                    (i32.add (local.get $cj) (i32.mul (i32.add (i32.shl (local.get $t) (i32.const 2)) (local.get $r)) (local.get $ldc)))
                    (local.get $r) (local.get $slice))
                  (local.set $r (i32.add (local.get $r) (i32.const 1)))
                  (br_if $rows_loop (i32.lt_u (local.get $r) (local.get $rows))))))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $tiles_loop)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $panels))))

  ;; out[M, N] (row-major, compact) = ctᵀ + bias[N] (bias = 0: none), ct[N, M] with row stride ldct
  ;; bytes: the product computed transposed (zero skipping over op(B)) put back. 4×4 blocks by shuffles.
  (func (export "finish_transposed") (param $ct i32) (param $ldct i32) (param $out i32) (param $M i32)
        (param $N i32) (param $bias i32)
    (local $i i32) (local $j i32) (local $m4 i32) (local $n4 i32) (local $nb i32) (local $s i32) (local $d i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $bv v128)
    (local.set $m4 (i32.and (local.get $M) (i32.const -4)))
    (local.set $n4 (i32.and (local.get $N) (i32.const -4)))
    (local.set $nb (i32.shl (local.get $N) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $jb_done
      (loop $jb
        (br_if $jb_done (i32.ge_u (local.get $j) (local.get $n4)))
        (local.set $bv (if (result v128) (local.get $bias)
          (then (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
          (else (v128.const i32x4 0 0 0 0))))
        (local.set $i (i32.const 0))
        (block $ib_done
          (loop $ib
            (br_if $ib_done (i32.ge_u (local.get $i) (local.get $m4)))
            ;; ct rows j..j+3, columns i..i+3 → out rows i..i+3, columns j..j+3.
            (local.set $s (i32.add (i32.add (local.get $ct) (i32.mul (local.get $j) (local.get $ldct))) (i32.shl (local.get $i) (i32.const 2))))
            (local.set $v0 (v128.load (local.get $s)))
            (local.set $v1 (v128.load (i32.add (local.get $s) (local.get $ldct))))
            (local.set $v2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $ldct) (i32.const 1)))))
            (local.set $v3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $ldct) (i32.const 3)))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
            (local.set $d (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $nb))) (i32.shl (local.get $j) (i32.const 2))))
            (v128.store (local.get $d)
              (f32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)) (local.get $bv)))
            (v128.store (i32.add (local.get $d) (local.get $nb))
              (f32x4.add (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)) (local.get $bv)))
            (v128.store (i32.add (local.get $d) (i32.shl (local.get $nb) (i32.const 1)))
              (f32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)) (local.get $bv)))
            (v128.store (i32.add (local.get $d) (i32.mul (local.get $nb) (i32.const 3)))
              (f32x4.add (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)) (local.get $bv)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $ib)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $jb)))
    ;; The edges, one value at a time: rows i ≥ m4 of every column, then columns j ≥ n4 of the rest.
    (local.set $i (local.get $m4))
    (block $er_done
      (loop $er
        (br_if $er_done (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $j (i32.const 0))
        (block $ec_done
          (loop $ec
            (br_if $ec_done (i32.ge_u (local.get $j) (local.get $N)))
            (call $put_transposed (local.get $ct) (local.get $ldct) (local.get $out) (local.get $nb) (local.get $bias) (local.get $i) (local.get $j))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $ec)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $er)))
    (local.set $i (i32.const 0))
    (block $fr_done
      (loop $fr
        (br_if $fr_done (i32.ge_u (local.get $i) (local.get $m4)))
        (local.set $j (local.get $n4))
        (block $fc_done
          (loop $fc
            (br_if $fc_done (i32.ge_u (local.get $j) (local.get $N)))
            (call $put_transposed (local.get $ct) (local.get $ldct) (local.get $out) (local.get $nb) (local.get $bias) (local.get $i) (local.get $j))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $fc)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fr))))

  ;; out[i, j] = ct[j, i] + bias[j] (bias = 0: none); nb = N·4, ldct in bytes.
  (func $put_transposed (param $ct i32) (param $ldct i32) (param $out i32) (param $nb i32) (param $bias i32)
        (param $i i32) (param $j i32)
    (local $x f32)
    (local.set $x (f32.load (i32.add (i32.add (local.get $ct) (i32.mul (local.get $j) (local.get $ldct))) (i32.shl (local.get $i) (i32.const 2)))))
    (if (local.get $bias)
      (then (local.set $x (f32.add (local.get $x) (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))))
    (f32.store (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $nb))) (i32.shl (local.get $j) (i32.const 2))) (local.get $x)))
)
