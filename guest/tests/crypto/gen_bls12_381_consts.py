"""Generate guest/src/crypto/bls12_381_consts.c: the BLS12-381 constants in Montgomery form,
derived here from the curve parameter x (p, r, xi = 1 + u, the Frobenius constants), the
generators from py_ecc, and [τ]₂ of the Ethereum KZG ceremony: g2_monomial[1] of the trusted
setup that py-evm ships for its point-evaluation precompile (the file c-kzg loads), decompressed
by py_ecc. Run: python guest/tests/crypto/gen_bls12_381_consts.py."""

from __future__ import annotations

import pathlib

X = -0xD201000000010000
P = (X - 1) ** 2 * (X**4 - X**2 + 1) // 3 + X
R = X**4 - X**2 + 1
LIMBS = 6
OUT = pathlib.Path(__file__).resolve().parents[2] / "src" / "crypto" / "bls12_381_consts.c"

Fp2 = tuple[int, int]


def trusted_setup_path() -> pathlib.Path:
    """The trusted setup text file that py-evm ships (c-kzg's format)."""
    import eth

    return pathlib.Path(eth.__file__).parent / "_utils" / "kzg_trusted_setup.txt"


def g2_monomial(index: int) -> bytes:
    """The compressed G2 point g2_monomial[index] of the trusted setup: the file holds the G1 and
    G2 counts, then the G1 points (Lagrange form), then the G2 points (monomial form)."""
    lines = trusted_setup_path().read_text().split()
    n_g1, n_g2 = int(lines[0]), int(lines[1])
    assert index < n_g2
    return bytes.fromhex(lines[2 + n_g1 + index])


def decompress_g2(data: bytes) -> tuple[Fp2, Fp2]:
    """Affine (x, y) of a compressed G2 point, each as (c0, c1), by py_ecc."""
    from py_ecc.bls.point_compression import decompress_G2
    from py_ecc.optimized_bls12_381 import normalize

    point = decompress_G2((int.from_bytes(data[:48], "big"), int.from_bytes(data[48:], "big")))
    x, y = normalize(point)
    return (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))


def tau_g2() -> tuple[Fp2, Fp2]:
    """[τ]₂: the second G2 point of the setup (the first is the generator)."""
    return decompress_g2(g2_monomial(1))


def f2mul(a: Fp2, b: Fp2) -> Fp2:
    """Multiply in Fp2 = Fp[u]/(u^2 + 1)."""
    return (a[0] * b[0] - a[1] * b[1]) % P, (a[0] * b[1] + a[1] * b[0]) % P


def f2pow(a: Fp2, e: int) -> Fp2:
    """a^e in Fp2 by square-and-multiply."""
    r: Fp2 = (1, 0)
    while e:
        if e & 1:
            r = f2mul(r, a)
        a = f2mul(a, a)
        e >>= 1
    return r


def f2add(a: Fp2, b: Fp2) -> Fp2:
    """a + b in Fp2."""
    return (a[0] + b[0]) % P, (a[1] + b[1]) % P


def f2sub(a: Fp2, b: Fp2) -> Fp2:
    """a - b in Fp2."""
    return (a[0] - b[0]) % P, (a[1] - b[1]) % P


def f2inv(a: Fp2) -> Fp2:
    """a^-1 in Fp2."""
    t = pow(a[0] * a[0] + a[1] * a[1], -1, P)
    return a[0] * t % P, -a[1] * t % P


def miller_lines(q: tuple[Fp2, Fp2]) -> list[tuple[Fp2, Fp2]]:
    """The affine lines (λ, μ = λ·x - y at the line's point) of the Miller loop over |x| for a
    fixed twist point Q, in the loop's order: the tangent at T for every bit below the top one,
    then the line through T and Q where the bit is set (T = [k]Q never meets ±Q, k < r)."""
    xq, yq = q
    xt, yt = q
    lines = []
    for i in range(62, -1, -1):
        lam = f2mul(f2mul((3, 0), f2mul(xt, xt)), f2inv(f2add(yt, yt)))
        lines.append((lam, f2sub(f2mul(lam, xt), yt)))
        x3 = f2sub(f2mul(lam, lam), f2add(xt, xt))
        xt, yt = x3, f2sub(f2mul(lam, f2sub(xt, x3)), yt)
        if (-X >> i) & 1:
            lam = f2mul(f2sub(yq, yt), f2inv(f2sub(xq, xt)))
            lines.append((lam, f2sub(f2mul(lam, xq), yq)))
            x3 = f2sub(f2sub(f2mul(lam, lam), xt), xq)
            xt, yt = x3, f2sub(f2mul(lam, f2sub(xt, x3)), yt)
    return lines


def lines_c(name: str, q: tuple[Fp2, Fp2]) -> list[str]:
    """A C table of the Miller loop's lines for a fixed Q."""
    lines = miller_lines(q)
    out = [f"const fp2 {name}[BLS_MILLER_STEPS][2] = {{"]
    out += [f"    {{{fp2(lam)}, {fp2(mu)}}}," for lam, mu in lines]
    return [*out, "};"]


def g1_beta() -> int:
    """The primitive cube root of unity β of Fp for which φ(x, y) = (βx, y) acts on G1 as
    multiplication by -x^2 (mod r), the root of λ^2 + λ + 1 that r = x^4 - x^2 + 1 makes -x^2."""
    from py_ecc import optimized_bls12_381 as bls

    lam = -(X * X) % R
    want = bls.normalize(bls.multiply(bls.G1, lam))
    for g in range(2, 100):
        beta = pow(g, (P - 1) // 3, P)
        if beta != 1:
            break
    for b in (beta, beta * beta % P):
        gx, gy = bls.normalize(bls.G1)
        if (gx * b, gy) == want:
            return b
    raise AssertionError("no cube root of unity acts as -x^2")


def g2_psi() -> tuple[Fp2, Fp2]:
    """(cx, cy) with ψ(x, y) = (conj(x)·cx, conj(y)·cy) the untwist-Frobenius-twist endomorphism
    of the M-type twist: cx = xi^-((p-1)/3), cy = xi^-((p-1)/2); it acts on G2 as
    multiplication by p ≡ x (mod r), checked here on the generator."""
    from py_ecc import optimized_bls12_381 as bls

    xi = (1, 1)
    cx, cy = f2inv(f2pow(xi, (P - 1) // 3)), f2inv(f2pow(xi, (P - 1) // 2))
    gx, gy = bls.normalize(bls.G2)
    x, y = (int(gx.coeffs[0]), int(gx.coeffs[1])), (int(gy.coeffs[0]), int(gy.coeffs[1]))
    psi = (f2mul((x[0], -x[1] % P), cx), f2mul((y[0], -y[1] % P), cy))
    wx, wy = bls.normalize(bls.multiply(bls.G2, X % R))
    assert psi == ((int(wx.coeffs[0]), int(wx.coeffs[1])), (int(wy.coeffs[0]), int(wy.coeffs[1])))
    return cx, cy


def limbs(v: int) -> str:
    """An fp384 initializer of a plain integer."""
    return "{{" + ", ".join(f"0x{(v >> (64 * i)) & (2**64 - 1):016x}ull" for i in range(LIMBS)) + "}}"


def mont(v: int) -> str:
    """An fp384 initializer of v in Montgomery form (R = 2^384)."""
    return limbs(v * 2**384 % P)


def fp2(a: Fp2) -> str:
    """An fp2 initializer."""
    return "{" + mont(a[0]) + ", " + mont(a[1]) + "}"


def render() -> str:
    """The C source text of the constants."""
    from py_ecc import optimized_bls12_381 as bls

    assert P == bls.field_modulus and R == bls.curve_order and P % 4 == 3
    xi = (1, 1)
    frob2 = [f2pow(xi, k * (P * P - 1) // 6) for k in range(6)]
    assert all(g[1] == 0 for g in frob2), "p^2-Frobenius constants lie in Fp"
    g1x, g1y = (int(c) for c in bls.normalize(bls.G1))
    g2x, g2y = ((int(c.coeffs[0]), int(c.coeffs[1])) for c in bls.normalize(bls.G2))
    tx, ty = tau_g2()
    assert len(miller_lines((g2x, g2y))) == 68
    order = "{{" + ", ".join(f"0x{(R >> (64 * i)) & (2**64 - 1):016x}ull" for i in range(4)) + "}}"
    lines = [
        "/* Generated by guest/tests/crypto/gen_bls12_381_consts.py: do not edit. */",
        '#include "bls12_381_internal.h"',
        "",
        "/* the field: p, R = 2^384 mod p, R^2 mod p, -p^-1 mod 2^64, (p - 1)/2 */",
        f"const fp384 BLS_P = {limbs(P)};",
        f"const fp384 BLS_ONE = {limbs(2**384 % P)};",
        f"const fp384 BLS_R2 = {limbs(2**768 % P)};",
        f"const uint64_t BLS_PINV = 0x{-pow(P, -1, 2**64) % 2**64:016x}ull;",
        f"const fp384 BLS_P_HALF = {limbs((P - 1) // 2)};",
        "/* the p-power Frobenius on Fp12: the coefficient c of w^k becomes conj(c)·xi^(k(p-1)/6) */",
        "const fp2 BLS_FROB1[6] = {",
        *(f"    {fp2(f2pow(xi, k * (P - 1) // 6))}," for k in range(6)),
        "};",
        "/* the p^2-power Frobenius on Fp12: the coefficient of w^k is multiplied by xi^(k(p^2-1)/6) */",
        "const fp384 BLS_FROB2[6] = {",
        *(f"    {mont(g[0])}," for g in frob2),
        "};",
        "/* the curves: y^2 = x^3 + 4 and the twist y^2 = x^3 + 4(1 + u) */",
        f"const fp384 BLS_B = {mont(4)};",
        f"const fp2 BLS_TWIST_B = {fp2((4, 4))};",
        "/* the group order r (plain) */",
        f"const fe256 BLS_ORDER = {order};",
        "/* β: φ(x, y) = (βx, y) is multiplication by -x^2 on G1 (the subgroup check) */",
        f"const fp384 BLS_BETA = {mont(g1_beta())};",
        "/* ψ(x, y) = (conj(x)·cx, conj(y)·cy) is multiplication by x on G2 (the subgroup check) */",
        f"const fp2 BLS_PSI_X = {fp2(g2_psi()[0])};",
        f"const fp2 BLS_PSI_Y = {fp2(g2_psi()[1])};",
        "/* the generators of G1 and G2 */",
        f"const fp384 BLS_G1_X = {mont(g1x)};",
        f"const fp384 BLS_G1_Y = {mont(g1y)};",
        f"const fp2 BLS_G2_X = {fp2(g2x)};",
        f"const fp2 BLS_G2_Y = {fp2(g2y)};",
        "/* [τ]₂: g2_monomial[1] of the Ethereum KZG ceremony's trusted setup, compressed",
        f" * {g2_monomial(1).hex()[:96]}",
        f" * {g2_monomial(1).hex()[96:]} */",
        f"const fp2 BLS_TAU_G2_X = {fp2(tx)};",
        f"const fp2 BLS_TAU_G2_Y = {fp2(ty)};",
        "/* the Miller loop's affine lines (λ, μ) for the fixed points [1]₂ and [τ]₂ */",
        *lines_c("BLS_G2_LINES", (g2x, g2y)),
        *lines_c("BLS_TAU_G2_LINES", (tx, ty)),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    OUT.write_text(render())
