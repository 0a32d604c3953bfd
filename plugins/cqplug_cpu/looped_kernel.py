"""The block kernel for larger quantum dimensions (d > 4): loops over constant arrays, lanes innermost.

Straight-line code stops paying beyond d = 4 (a d = 8 density superoperator alone has 4096
entries). Here the same split step (:mod:`cqplug.system.compiled`) is written as loop nests
whose innermost loop runs over the lanes of a group, so LLVM vectorises every one of them, with
the constant matrices read as views into the kernel's constant vector. The classical part stays
straight-line per lane (it is small). A density is kept as a full complex d x d matrix per lane
(``Rr``/``Ri``: real and imaginary parts, shape (d, d, lanes)), so the constant channel is the
split form Gamma(tau/2) o exp(-i H_Q tau) o Gamma(tau/2) at 2 d^3 complex products per step (the
full d^2 x d^2 superoperator, d^4, when the model has quantum Lindblad channels); kets
as d complex amplitudes. Non-commuting couplings above d = 4 are left to the jax backend.
"""

from __future__ import annotations

import numpy as np

from cqplug.errors import BackendUnavailable
from cqplug.system import quantum
from cqplug.system.step_plan import DIVERGENCE_BOUND, NORM_TOLERANCE, SCHEDULE

from .lane_kernel import PATHS, LaneKernel, Noise

STRAIGHT_SUMS_MAX_D = 8  # measured: written-out sums win up to d = 8, accumulated loops beyond


def looped_lane_count(system) -> int:
    """Lanes per group so that the state arrays of a group stay within L2 (16 to 128 lanes)."""
    size = system.d * system.d if system.state == "density" else system.d
    lanes = 128
    while lanes > 16 and lanes * size > 8192:
        lanes //= 2
    return lanes


class LoopedKernel(LaneKernel):
    unrolled = False

    def __init__(self, system, lanes: int | None = None):
        super().__init__(system, lanes or looped_lane_count(system))

    def _prepare_variant(self) -> None:
        s, k = self.system, self.k
        if not s.commuting:
            raise BackendUnavailable(f"backend 'cpu' integrates non-commuting couplings up to d = 4 (this model has "
                                     f"d = {s.d}); use backend 'jax' (pip install 'cqplug[jax]')")
        c = s.measurement_eigenvalues
        self.cmA = k.array("cmA", c)
        self.pair_list = [(j, jj) for j in range(s.n_noise) for jj in range(j, s.n_noise)]
        self.ccA = k.array("ccA", np.array([c[j] * c[jj] for j, jj in self.pair_list]).reshape(-1, s.d))
        self.csqA = k.array("csqA", (c**2).sum(axis=0) if c.size else np.zeros(s.d))
        lvals = s.coupling_eigenvalues
        self.lvA = k.array("lvA", lvals)
        self.lcA = k.array("lcA", quantum.centred(lvals))
        if not self.density:
            self.jcA = k.array("jcA", quantum.centred(s.dephasing_eigenvalues))
        self.unitary = {}
        for name, tau in self.durations.items():
            U = s.hamiltonian_propagator(tau)
            parts = (k.array(f"UR{name[0]}", U.real), k.array(f"UI{name[0]}", U.imag))
            gamma = k.array(f"GAM{name[0]}", s.dephasing_factors(tau / 2)) if self.density else None
            self.unitary[name] = parts + (gamma,)
        self.kraus = {}
        if self.plan.constant_channel == "kraus":  # padded with zero operators to one count (never drawn)
            sets = {name: s.kraus_operators(tau) for name, tau in self.durations.items()}
            self.kraus_count = max(len(K) for K in sets.values())
            for name, K in sets.items():
                K = np.concatenate([K, np.zeros((self.kraus_count - len(K), s.d, s.d))])
                self.kraus[name] = (k.array(f"KR{name[0]}", K.real), k.array(f"KI{name[0]}", K.imag))
        self.superoperator = {}
        if self.density and s.constant_channel == "superoperator":  # quantum Lindblad channels: exact map
            for name, tau in self.durations.items():
                P = s.channel_superoperator(tau)
                self.superoperator[name] = (k.array(f"SR{name[0]}", P.real), k.array(f"SI{name[0]}", P.imag))
        if self.density:
            self.rho0 = (k.array("R0r", s.rho0.real), k.array("R0i", s.rho0.imag))
        else:
            self.kets = (k.array("K0r", s.kets.real), k.array("K0i", s.kets.imag))
            self.cumulative = k.array("cumA", s.ket_cumulative)
        B = s.observable_operators
        self.B = (k.array("BR", B.real), k.array("BI", B.imag))

    # -- arrays and initial state ----------------------------------------------------------
    def emit_arrays(self, ind, paths) -> None:
        s = self.system
        d, m, nL = s.d, s.n_noise, s.n_couplings
        # rows padded beyond G lanes: strides that are multiples of 4 KiB make the j-sums' many input
        # streams collide in the cache (measured: all state arrays 16 KiB apart cost 15 % at 2048 lanes)
        ind("GP = G + 8")
        for p in paths:
            if self.density:
                ind(f"Rr{p} = np.empty(({d}, {d}, GP))")
                ind(f"Ri{p} = np.empty(({d}, {d}, GP))")
            else:
                ind(f"PR{p} = np.empty(({d}, GP))")
                ind(f"PI{p} = np.empty(({d}, GP))")
        shapes = {"TR": (d, d) if self.density else (d,), "TI": (d, d) if self.density else (d,), "PB": (d,),
                  "MU": (max(m, 1),), "SQ": (max(len(self.pair_list), 1),), "AX": (d,), "GR": (d,), "GI": (d,),
                  "PH": (d,), "HT": (max(nL, 1),), "DY": (max(m, 1),), "EL": (max(nL, 1),), "PK": (max(m, 1),),
                  "OBS": (s.n_observables,)}
        for name, shape in shapes.items():
            ind(f"{name} = np.zeros(({', '.join(map(str, shape))}, GP))")
        for name in ("AM", "TRC", "CUM", "DONE", "UKS"):
            ind(f"{name} = np.zeros(G)")
        if self.kraus:
            ind(f"CR = np.zeros(({self.kraus_count}, {d}, GP))")
            ind(f"CI = np.zeros(({self.kraus_count}, {d}, GP))")
            ind(f"KW = np.zeros(({self.kraus_count}, GP))")

    def quantum_initial(self, g, lane, paths) -> None:
        s = self.system
        if self.density:
            for p in paths:
                g(f"for i in range({s.d}):")
                g.nested()(f"for kk in range({s.d}):")
                inner = g.nested().nested()
                inner("for l in range(G):")
                inner.nested()(f"Rr{p}[i, kk, l] = R0r[i, kk]")
                inner.nested()(f"Ri{p}[i, kk, l] = R0i[i, kk]")
            return
        lane("pick = 0")
        if len(s.kets) > 1:
            lane("u0 = rng.random()")
            lane(f"while pick < {len(s.kets) - 1} and u0 >= cumA[pick]:")
            lane.nested()("pick += 1")
        lane(f"for i in range({s.d}):")
        for p in paths:
            lane.nested()(f"PR{p}[i, l] = K0r[pick, i]")
            lane.nested()(f"PI{p}[i, l] = K0i[pick, i]")

    # -- A: classical flow per lane, the constant quantum channel as loop nests ------------
    def emit_constant(self, ind, path, duration, uniform: str = "UK[0, l]") -> None:
        s = self.system
        ind("for l in range(G):")
        lane = ind.nested()
        z = self.z(path)
        lines = [f"{v} = Z{path}[{i}, l]" for i, v in enumerate(z)] + self.classical_flow(path, duration) + \
            [f"Z{path}[{i}, l] = {v}" for i, v in enumerate(z)]
        for line in lines:
            lane(line)
        UR, UI, gamma = self.unitary[duration]
        d = s.d

        def hoist(block, row_index: str) -> None:
            """Load one row of U into scalars before the lane loop: LLVM cannot prove the constant
            vector does not alias the arrays written inside it, so it would reload them there."""
            for j in range(d):
                block(f"ur{j} = {UR}[{row_index}, {j}]")
                block(f"ui{j} = {UI}[{row_index}, {j}]")

        if self.kraus:
            self._kraus_sample(ind, path, *self.kraus[duration], uniform)
            return
        if not self.density:  # psi <- U psi, the sum over j written out: it stays in registers
            ind(f"for i in range({d}):")
            row = ind.nested()
            hoist(row, "i")
            row("for l in range(G):")
            row.nested()(
                "TR[i, l] = " + " + ".join(f"ur{j}*PR{path}[{j}, l] - ui{j}*PI{path}[{j}, l]" for j in range(d))
            )
            row.nested()(
                "TI[i, l] = " + " + ".join(f"ur{j}*PI{path}[{j}, l] + ui{j}*PR{path}[{j}, l]" for j in range(d))
            )
            ind(f"PR{path}[:, :] = TR")
            ind(f"PI{path}[:, :] = TI")
            return
        if self.superoperator:
            self._superoperator(ind, path, *self.superoperator[duration])
            return
        self._schur(ind, path, gamma)
        if d <= STRAIGHT_SUMS_MAX_D:
            self._products_written_out(ind, path, hoist, d)
        else:
            self._products_accumulated(ind, path, UR, UI, d)
        self._schur(ind, path, gamma)

    def _products_written_out(self, ind, path, hoist, d) -> None:
        """T = U rho and rho = T U^+ with each sum over j written out (its terms stay in registers)."""
        ind(f"for i in range({d}):")  # T = U rho
        row = ind.nested()
        hoist(row, "i")
        row(f"for kk in range({d}):")
        col = row.nested()
        col("for l in range(G):")
        col.nested()(
            "TR[i, kk, l] = " + " + ".join(f"ur{j}*Rr{path}[{j}, kk, l] - ui{j}*Ri{path}[{j}, kk, l]" for j in range(d))
        )
        col.nested()(
            "TI[i, kk, l] = " + " + ".join(f"ur{j}*Ri{path}[{j}, kk, l] + ui{j}*Rr{path}[{j}, kk, l]" for j in range(d))
        )
        ind(f"for kk in range({d}):")  # rho = T U^+ (rho_ik = sum_j T_ij conj(U_kj)), upper triangle, mirrored
        row = ind.nested()
        hoist(row, "kk")
        row("for i in range(kk + 1):")
        col = row.nested()
        col("for l in range(G):")
        lane = col.nested()
        lane("re = " + " + ".join(f"TR[i, {j}, l]*ur{j} + TI[i, {j}, l]*ui{j}" for j in range(d)))
        lane("im = " + " + ".join(f"TI[i, {j}, l]*ur{j} - TR[i, {j}, l]*ui{j}" for j in range(d)))
        lane(f"Rr{path}[i, kk, l] = re")
        lane(f"Ri{path}[i, kk, l] = im")
        lane(f"Rr{path}[kk, i, l] = re")
        lane(f"Ri{path}[kk, i, l] = -im")

    def _products_accumulated(self, ind, path, UR, UI, d) -> None:
        """The same products for large d: each term added into the output in its own lane loop."""
        ind(f"for i in range({d}):")  # T = U rho
        row = ind.nested()
        row(f"for kk in range({d}):")
        row.nested()("for l in range(G):")
        row.nested().nested()("TR[i, kk, l] = 0.0")
        row.nested().nested()("TI[i, kk, l] = 0.0")
        row(f"for j in range({d}):")
        inner = row.nested()
        inner(f"ur = {UR}[i, j]")
        inner(f"ui = {UI}[i, j]")
        inner("if ur != 0.0 or ui != 0.0:")
        deep = inner.nested()
        deep(f"for kk in range({d}):")
        deep.nested()("for l in range(G):")
        deepest = deep.nested().nested()
        deepest(f"TR[i, kk, l] += ur*Rr{path}[j, kk, l] - ui*Ri{path}[j, kk, l]")
        deepest(f"TI[i, kk, l] += ur*Ri{path}[j, kk, l] + ui*Rr{path}[j, kk, l]")
        ind(f"for i in range({d}):")  # rho = T U^+, upper triangle, mirrored
        row = ind.nested()
        row(f"for kk in range(i, {d}):")
        col = row.nested()
        col("for l in range(G):")
        col.nested()(f"Rr{path}[i, kk, l] = 0.0")
        col.nested()(f"Ri{path}[i, kk, l] = 0.0")
        col(f"for j in range({d}):")
        inner = col.nested()
        inner(f"ur = {UR}[kk, j]")
        inner(f"ui = -{UI}[kk, j]")
        inner("if ur != 0.0 or ui != 0.0:")
        deep = inner.nested()
        deep("for l in range(G):")
        deep.nested()(f"Rr{path}[i, kk, l] += TR[i, j, l]*ur - TI[i, j, l]*ui")
        deep.nested()(f"Ri{path}[i, kk, l] += TR[i, j, l]*ui + TI[i, j, l]*ur")
        col("for l in range(G):")
        col.nested()(f"Rr{path}[kk, i, l] = Rr{path}[i, kk, l]")
        col.nested()(f"Ri{path}[kk, i, l] = -Ri{path}[i, kk, l]")

    def _kraus_sample(self, ind, path, KR, KI, uniform) -> None:
        """psi <- K_c psi / |K_c psi|, c drawn per lane with probability |K_c psi|^2 (by ``uniform``):
        the candidates K_c psi in CR/CI, their weights in KW, then the pick per lane."""
        d, count = self.system.d, self.kraus_count
        ind(f"for c in range({count}):")
        kraus = ind.nested()
        kraus("for l in range(G):")
        kraus.nested()("KW[c, l] = 0.0")
        kraus(f"for i in range({d}):")
        row = kraus.nested()
        row("for l in range(G):")
        row.nested()("CR[c, i, l] = 0.0")
        row.nested()("CI[c, i, l] = 0.0")
        row(f"for j in range({d}):")
        entry = row.nested()
        entry(f"kr = {KR}[c, i, j]")
        entry(f"ki = {KI}[c, i, j]")
        entry("if kr != 0.0 or ki != 0.0:")
        lanes = entry.nested()
        lanes("for l in range(G):")
        lanes.nested()(f"CR[c, i, l] += kr*PR{path}[j, l] - ki*PI{path}[j, l]")
        lanes.nested()(f"CI[c, i, l] += kr*PI{path}[j, l] + ki*PR{path}[j, l]")
        row("for l in range(G):")
        row.nested()("KW[c, l] += CR[c, i, l]*CR[c, i, l] + CI[c, i, l]*CI[c, i, l]")
        ind("for l in range(G):")
        lane = ind.nested()
        lane("acc = 0.0")
        lane(f"pick = {count - 1}")
        lane(f"for c in range({count - 1}):")
        step = lane.nested()
        step("acc += KW[c, l]")
        step(f"if pick == {count - 1} and {uniform} < acc:")
        step.nested()("pick = c")
        lane("inv = 1.0/math.sqrt(KW[pick, l])")
        lane(f"for i in range({d}):")
        lane.nested()(f"PR{path}[i, l] = CR[pick, i, l]*inv")
        lane.nested()(f"PI{path}[i, l] = CI[pick, i, l]*inv")

    def _superoperator(self, ind, path, SR, SI) -> None:
        """vec(rho) <- P vec(rho) with the complex d^2 x d^2 map exp(tau L_0) (zero entries skipped):
        the constant channel when it holds Lindblad operators that the split form cannot apply."""
        d = self.system.d
        ind(f"for i in range({d}):")
        row = ind.nested()
        row(f"for kk in range({d}):")
        col = row.nested()
        col("for l in range(G):")
        col.nested()("TR[i, kk, l] = 0.0")
        col.nested()("TI[i, kk, l] = 0.0")
        col(f"for jq in range({d * d}):")
        inner = col.nested()
        inner(f"spr = {SR}[i*{d} + kk, jq]")
        inner(f"spi = {SI}[i*{d} + kk, jq]")
        inner("if spr != 0.0 or spi != 0.0:")
        deep = inner.nested()
        deep(f"jsp = jq // {d}")
        deep(f"qsp = jq % {d}")
        deep("for l in range(G):")
        deep.nested()(f"TR[i, kk, l] += spr*Rr{path}[jsp, qsp, l] - spi*Ri{path}[jsp, qsp, l]")
        deep.nested()(f"TI[i, kk, l] += spr*Ri{path}[jsp, qsp, l] + spi*Rr{path}[jsp, qsp, l]")
        ind(f"Rr{path}[:, :, :] = TR")
        ind(f"Ri{path}[:, :, :] = TI")

    def _schur(self, ind, path, gamma) -> None:
        """rho_ik *= Gamma_ik (the commuting excess dephasing over half the sub-step)."""
        if not self.system.n_dephasing:
            return
        d = self.system.d
        ind(f"for i in range({d}):")
        ind.nested()(f"for kk in range({d}):")
        inner = ind.nested().nested()
        inner(f"f = {gamma}[i, kk]")
        inner("for l in range(G):")
        inner.nested()(f"Rr{path}[i, kk, l] *= f")
        inner.nested()(f"Ri{path}[i, kk, l] *= f")

    # -- B: measurement record, kick, coupling phase --------------------------------------
    def emit_coupled(self, ind, path, noise: Noise, duration) -> None:
        s = self.system
        d, m, nL = s.d, s.n_noise, s.n_couplings
        tau = self.tau[duration]
        ind(f"# B({duration}): probabilities, measurement record, kick, phases, update (loops over lanes)")
        ind(f"for i in range({d}):")
        ind.nested()("for l in range(G):")
        ind.nested().nested()(
            f"PB[i, l] = Rr{path}[i, i, l]"
            if self.density
            else f"PB[i, l] = PR{path}[i, l]*PR{path}[i, l] + PI{path}[i, l]*PI{path}[i, l]"
        )
        if m and s.sampling == "gaussian":
            self._weighted_sum(ind, "MU", m, self.cmA)
            self._weighted_sum(ind, "SQ", len(self.pair_list), self.ccA)
        elif m:
            ind("for l in range(G):")
            lane = ind.nested()
            lane("CUM[l] = 0.0")
            lane("DONE[l] = 0.0")
            lane(f"for j in range({m}):")
            lane.nested()(f"PK[j, l] = {self.cmA}[j, {d - 1}]")
            ind(f"for i in range({d - 1}):")
            row = ind.nested()
            row("for l in range(G):")
            lane = row.nested()
            lane("CUM[l] += PB[i, l]")
            lane(f"hit = DONE[l] == 0.0 and {noise.uniform(0)} < CUM[l]")
            lane("DONE[l] = 1.0 if hit else DONE[l]")
            lane(f"for j in range({m}):")
            lane.nested()(f"PK[j, l] = {self.cmA}[j, i] if hit else PK[j, l]")
        if self.residual:
            self._weighted_sum(ind, "EL", nL, self.lvA)
        # per lane: the record, the kick, the coupling at the midpoint
        ind("for l in range(G):")
        lane = ind.nested()
        z = self.z(path)
        for i, v in enumerate(z):
            lane(f"{v} = Z{path}[{i}, l]")
        dY = [self.temp("dY") for _ in range(m)]
        if m and s.sampling == "branch":
            for j in range(m):
                lane(f"{dY[j]} = {noise.full(j)} + 2.0*{tau}*PK[{j}, l]")
        elif m:
            lane(f"# record covariance tau (1 + 4 tau Cov C); Cholesky of {m} x {m}")
            S, chol = {}, {}
            pair_index = {pair: q for q, pair in enumerate(self.pair_list)}
            for a in range(m):
                for b in range(a, m):
                    S[(a, b)] = self.temp("S")
                    lane(
                        f"{S[(a, b)]} = {'1.0 + ' if a == b else ''}4.0*{tau}*(SQ[{pair_index[(a, b)]}, l] - "
                        f"MU[{a}, l]*MU[{b}, l])"
                    )
            for a in range(m):
                for b in range(a + 1):
                    acc = " - ".join([S[(b, a)]] + [f"{chol[(a, q)]}*{chol[(b, q)]}" for q in range(b)])
                    chol[(a, b)] = self.temp("ch")
                    lane(
                        f"{chol[(a, b)]} = math.sqrt(max({acc}, 1e-300))"
                        if a == b
                        else f"{chol[(a, b)]} = ({acc})/{chol[(b, b)]}"
                    )
            for a in range(m):
                mix = " + ".join(f"{chol[(a, b)]}*{noise.full(b)}" for b in range(a + 1))
                lane(f"{dY[a]} = 2.0*{tau}*MU[{a}, l] + {mix}")
        expectation = (lambda a: f"EL[{a}, l]") if self.residual else None
        kick, mid = self._kick(path, dY, duration, expectation)
        for line in kick:
            lane(line)
        if nL:
            h = [self.temp("h") for _ in range(nL)]
            for line in self.printer.statements(s.couplings, mid, self.params, h, prefix=self.temp("hc")):
                lane(line)
            for a in range(nL):
                lane(f"HT[{a}, l] = {tau}*{h[a]}")
        for j in range(m):
            lane(f"DY[{j}, l] = {dY[j]}")
        for i, v in enumerate(z):
            lane(f"Z{path}[{i}, l] = {v}")
        # factors g_i = exp(a_i - max a) exp(-i phi_i)
        if m:
            ind(f"for i in range({d}):")
            row = ind.nested()
            row(f"c2 = {tau}*{self.csqA}[i]")
            row("for l in range(G):")
            row.nested()("AX[i, l] = -c2")
            row(f"for j in range({m}):")
            inner = row.nested()
            inner(f"cj = {self.cmA}[j, i]")
            inner("for l in range(G):")
            inner.nested()("AX[i, l] += cj*DY[j, l]")
            ind("for l in range(G):")
            ind.nested()("AM[l] = AX[0, l]")
            ind(f"for i in range(1, {d}):")
            ind.nested()("for l in range(G):")
            ind.nested().nested()("AM[l] = max(AM[l], AX[i, l])")
        phase_sources = [(self.lcA, nL, "HT[a, l]")]
        if not self.density and s.n_dephasing:
            phase_sources.append((self.jcA, s.n_dephasing, None))
        ind(f"for i in range({d}):")
        row = ind.nested()
        row("for l in range(G):")
        row.nested()("PH[i, l] = 0.0")
        if nL:
            row(f"for a in range({nL}):")
            inner = row.nested()
            inner(f"ca = {self.lcA}[a, i]")
            inner("for l in range(G):")
            inner.nested()("PH[i, l] += ca*HT[a, l]")
        if not self.density:
            for r in range(s.n_dephasing):
                row(f"cr = {self.jcA}[{r}, i]")
                row("for l in range(G):")
                row.nested()(f"PH[i, l] += cr*{noise.phase(r)}")
        row("for l in range(G):")
        lane = row.nested()
        lane("e = fast_exp(AX[i, l] - AM[l])" if m else "e = 1.0")
        lane("co, si = fast_sincos(-PH[i, l])")
        lane("GR[i, l] = e*co")
        lane("GI[i, l] = e*si")
        if self.density:
            ind(f"for i in range({d}):")
            ind.nested()(f"for kk in range({d}):")
            inner = ind.nested().nested()
            inner("for l in range(G):")
            lane = inner.nested()
            lane("fr = GR[i, l]*GR[kk, l] + GI[i, l]*GI[kk, l]")
            lane("fi = GI[i, l]*GR[kk, l] - GR[i, l]*GI[kk, l]")
            lane(f"rr = Rr{path}[i, kk, l]")
            lane(f"ri = Ri{path}[i, kk, l]")
            lane(f"Rr{path}[i, kk, l] = rr*fr - ri*fi")
            lane(f"Ri{path}[i, kk, l] = rr*fi + ri*fr")
        else:
            ind(f"for i in range({d}):")
            ind.nested()("for l in range(G):")
            lane = ind.nested().nested()
            lane(f"pr = PR{path}[i, l]")
            lane(f"pi = PI{path}[i, l]")
            lane(f"PR{path}[i, l] = pr*GR[i, l] - pi*GI[i, l]")
            lane(f"PI{path}[i, l] = pr*GI[i, l] + pi*GR[i, l]")
        if m:
            self._normalise(ind, path)

    def _weighted_sum(self, ind, out: str, rows: int, weights: str) -> None:
        """out[j, l] = sum_i weights[j, i] PB[i, l]."""
        if not rows:
            return
        d = self.system.d
        ind(f"for j in range({rows}):")
        row = ind.nested()
        row("for l in range(G):")
        row.nested()(f"{out}[j, l] = 0.0")
        row(f"for i in range({d}):")
        inner = row.nested()
        inner(f"w = {weights}[j, i]")
        inner("if w != 0.0:")
        inner.nested()("for l in range(G):")
        inner.nested().nested()(f"{out}[j, l] += w*PB[i, l]")

    def _normalise(self, ind, path) -> None:
        d = self.system.d
        ind("for l in range(G):")
        ind.nested()("TRC[l] = 0.0")
        ind(f"for i in range({d}):")
        ind.nested()("for l in range(G):")
        if self.density:
            ind.nested().nested()(f"TRC[l] += Rr{path}[i, i, l]")
        else:
            ind.nested().nested()(f"TRC[l] += PR{path}[i, l]*PR{path}[i, l] + PI{path}[i, l]*PI{path}[i, l]")
        ind("for l in range(G):")
        ind.nested()("TRC[l] = 1.0/TRC[l]" if self.density else "TRC[l] = 1.0/math.sqrt(TRC[l])")
        ind(f"for i in range({d}):")
        row = ind.nested()
        if self.density:
            row(f"for kk in range({d}):")
            row.nested()("for l in range(G):")
            row.nested().nested()(f"Rr{path}[i, kk, l] *= TRC[l]")
            row.nested().nested()(f"Ri{path}[i, kk, l] *= TRC[l]")
        else:
            row("for l in range(G):")
            row.nested()(f"PR{path}[i, l] *= TRC[l]")
            row.nested()(f"PI{path}[i, l] *= TRC[l]")

    # -- hooks of the skeleton ------------------------------------------------------------
    def emit_start(self, sv, paths) -> None:
        if self.kraus:  # one Kraus draw per lane shared by the fine and the coarse path
            sv("for l in range(G):")
            sv.nested()("UKS[l] = rng.random()")
        for p in paths:
            self.emit_constant(sv, p, SCHEDULE[PATHS[p]].start, "UKS[l]")

    def emit_step(self, pr, path, duration, last_duration, other_duration) -> None:
        self.emit_coupled(pr, path, Noise(path, self.system.n_noise), duration)
        if last_duration == other_duration:
            self.emit_constant(pr, path, other_duration)
            return
        pr("if last:")
        self.emit_constant(pr.nested(), path, last_duration)
        pr("else:")
        self.emit_constant(pr.nested(), path, other_duration)

    def record_values(self, ind, paths) -> None:
        s = self.system
        d, K = s.d, s.n_observables
        BR, BI = self.B
        for p, out in (("f", "V"), ("c", "D")):
            if p not in paths:
                continue
            ind(f"for kk in range({K}):")
            obs = ind.nested()
            obs("for l in range(G):")
            obs.nested()("OBS[kk, l] = 0.0")
            obs(f"for i in range({d}):")
            row = obs.nested()
            row(f"for q in range({d}):")
            inner = row.nested()
            if self.density:  # Tr(B rho) = sum_iq B_qi rho_iq
                inner(f"br = {BR}[kk, q, i]")
                inner(f"bi = {BI}[kk, q, i]")
                inner("if br != 0.0 or bi != 0.0:")
                inner.nested()("for l in range(G):")
                inner.nested().nested()(f"OBS[kk, l] += br*Rr{p}[i, q, l] - bi*Ri{p}[i, q, l]")
            else:  # <psi|B|psi> = sum_iq conj(psi_i) B_iq psi_q
                inner(f"br = {BR}[kk, i, q]")
                inner(f"bi = {BI}[kk, i, q]")
                inner("if br != 0.0 or bi != 0.0:")
                inner.nested()("for l in range(G):")
                lane = inner.nested().nested()
                lane(f"re = PR{p}[i, l]*PR{p}[q, l] + PI{p}[i, l]*PI{p}[q, l]")
                lane(f"im = PR{p}[i, l]*PI{p}[q, l] - PI{p}[i, l]*PR{p}[q, l]")
                lane("OBS[kk, l] += re*br - im*bi")
            ind("for l in range(G):")
            ind.nested()("TRC[l] = 0.0")
            ind(f"for i in range({d}):")
            ind.nested()("for l in range(G):")
            ind.nested().nested()(
                f"TRC[l] += Rr{p}[i, i, l]"
                if self.density
                else f"TRC[l] += PR{p}[i, l]*PR{p}[i, l] + PI{p}[i, l]*PI{p}[i, l]"
            )
            ind("for l in range(G):")
            lane = ind.nested()
            z = self.z(p)
            for i, v in enumerate(z):
                lane(f"{v} = Z{p}[{i}, l]")
            f = [self.temp("fv") for _ in range(K)]
            for line in self.printer.statements(s.observables, z, self.params, f, prefix=self.temp("ob")):
                lane(line)
            for kk in range(K):
                value = f"{f[kk]}*OBS[{kk}, l]"
                lane(f"{out}[{kk}, l] = {value}" if p == "f" else f"{out}[{kk}, l] = {value} - V[{kk}, l]")
            bounded = " and ".join(f"abs({v}) < {DIVERGENCE_BOUND!r}" for v in z) or "True"
            lane(f"bad_classical = bad_classical if {bounded} else 1.0")
            lane(f"bad_quantum = bad_quantum if abs(TRC[l] - 1.0) < {NORM_TOLERANCE!r} else 1.0")
