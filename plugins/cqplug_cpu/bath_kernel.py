"""The block kernel for many classical modes: the classical part as sparse loops over arrays.

A bath of n oscillators has 2n phase-space variables; written out per variable (as
:class:`~cqplug_cpu.lane_kernel.LaneKernel` does) the code, its compile time and its cost grow
as n^2. Here the split step of :mod:`cqplug.system.compiled` keeps z in arrays (variable,
lane) and reads every classical matrix from the constant vector, so the generated code has the
same size, and takes the same time to compile, for any n (only array sizes and offsets differ):

* the flow z <- Phi z + phi and the initial z0 = mean + R xi are sparse products (Phi and R
  in CSR form: cost proportional to their non-zeros, 4n for uncoupled modes);
* the kick z += sigma dY + F_res <L> tau loops over the noises (one per decoherence
  direction, never one per mode);
* the couplings are linear, h_a(z) = G_a z + g_a, so h at the kick's midpoint is
  G_a z + g_a + (G sigma dY + tau G F_res <L>)_a / 2: one pass over z per step, and the
  per-lane quantum step needs only the small matrices G sigma and G F_res.

Each sub-step is: the couplings' values for every lane (array loop), the quantum part of B
and A for every lane (the unrolled lane code), then the kick and the flow (array loops). The
quantum part is unchanged: only the classical variables move into arrays. Commuting couplings
only (the palindrome of non-commuting ones interleaves kicks and measurements; those models stay
on the unrolled kernel).
"""

from __future__ import annotations

import numpy as np

from cqplug.system.step_plan import DIVERGENCE_BOUND, SCHEDULE

from .lane_kernel import PATHS, LaneKernel

ARRAY_MIN_Z = 17  # phase-space variables from which the classical part is looped (n > 8 modes)
CACHE_BYTES = 8 * 1024 * 1024  # measured at n = 1000 (2 MiB L2, 32 MiB L3): 128 lanes beat 16 and 512


def uses_arrays(system) -> bool:
    """The bath kernel applies: many variables, an exact linear flow, commuting couplings."""
    return system.n_z >= ARRAY_MIN_Z and system.linear_flow is not None and system.commuting


def bath_lane_count(system, lanes: int) -> int:
    """Fewer lanes than the quantum state alone would take, so that z of every lane stays in cache."""
    while lanes > 16 and 3 * system.n_z * lanes * 8 > CACHE_BYTES:
        lanes //= 2
    return lanes


class BathKernel(LaneKernel):
    """The lane kernel with z in arrays (see the module docstring)."""

    classical_in_arrays = True

    def __init__(self, system, lanes: int | None = None):
        from .lane_kernel import lane_count

        super().__init__(system, lanes or bath_lane_count(system, lane_count(system)))

    @property
    def z_size(self) -> str:
        return "NZ"  # read at run time: no loop is unrolled over the variables, whatever their number

    def _prepare_variant(self) -> None:
        from scipy.sparse import csr_matrix

        s, k = self.system, self.k
        k.scalar("n_z", s.n_z)
        self.sparse, self._rows = {}, {}
        self.flow_index = {name: i for i, name in enumerate(self.durations)}
        flows = [s.linear_flow.sparse_propagator(tau) for tau in self.durations.values()]
        self._flows(flows)
        self.sparse["root"] = self._csr("ROOT", csr_matrix(s.z_root))
        k.array("ZMEAN", s.z_mean)
        self.sparse["sigma"] = self._csr("SIG", csr_matrix(s.sigma))
        self.sparse["residual"] = self._csr("FRES", csr_matrix(s.residual_force))
        self.residual_kick = bool(self.sparse["residual"][3])
        G, g = s.couplings.linear
        self.sparse["couplings"] = self._csr("GCP", csr_matrix(G))
        k.array("GOFF", g if len(g) else np.zeros(1))
        G = np.asarray(G.toarray() if hasattr(G, "toarray") else G)
        self.observed_linearly = s.observables.linear is not None
        if self.observed_linearly:
            F, f0 = s.observables.linear
            self.sparse["observables"] = self._csr("OBS", csr_matrix(F))
            k.array("OBSOFF", f0)
        self.g_sigma = k.matrix("gsig", G @ s.sigma)  # h at the midpoint: + (G sigma dY)/2
        self.g_residual = k.matrix("gres", G @ s.residual_force)

    def _flows(self, flows: list) -> None:
        """The propagators (Phi, phi) of every duration in one CSR layout: row pointers PHIp[duration, i]
        into the concatenated columns PHIc and values PHIv, shifts PHV[duration, i]; the code picks the
        duration at run time (one loop nest serves the last step of an interval and the others)."""
        k = self.k
        pointers, columns, values, offset = [], [], [], 0
        for Phi, _ in flows:
            Phi = Phi.tocsr()
            Phi.sort_indices()
            pointers.append(Phi.indptr + offset)
            columns.append(Phi.indices)
            values.append(Phi.data)
            offset += Phi.nnz
        k.array("PHIp", np.array(pointers))
        k.array("PHIc", np.concatenate(columns) if offset else np.zeros(1))
        k.array("PHIv", np.concatenate(values) if offset else np.zeros(1))
        k.array("PHV", np.array([phi for _, phi in flows]))

    def _csr(self, name: str, matrix) -> tuple:
        """(row pointers, columns, values) names of a CSR matrix in the constant vector (indices as floats)."""
        matrix = matrix.tocsr()
        matrix.sort_indices()
        k = self.k
        self._rows[f"{name}p"] = "NZ" if matrix.shape[0] == self.system.n_z else matrix.shape[0]
        values = matrix.data if matrix.nnz else np.zeros(1)
        columns = matrix.indices if matrix.nnz else np.zeros(1)
        return (k.array(f"{name}p", matrix.indptr), k.array(f"{name}c", columns), k.array(f"{name}v", values),
                matrix.nnz)

    # -- what leaves the per-lane code (load, store and observe skip z: classical_in_arrays) ---------
    def classical_flow(self, path: str, duration: str) -> list:
        return []  # an array loop after the lane loop (emit_step)

    def _kick(self, path: str, dY: list, duration: str, expectation) -> tuple:
        """Stores dY and <L> for the array kick; returns h_a at the midpoint (the names ``coupling_values``
        reads)."""
        s, tau = self.system, self.tau[duration]
        lines = [f"DY[{j}, l] = {dY[j]}" for j in range(s.n_noise)]
        expL = []
        if self.residual_kick:
            for a in range(s.n_couplings):
                expL.append(self.temp("EL"))
                lines += [f"{expL[a]} = {expectation(a)}", f"EL[{a}, l] = {expL[a]}"]
        h = []
        for a in range(s.n_couplings):
            terms = [f"{self.g_sigma[(a, j)]}*{dY[j]}" for j in range(s.n_noise) if (a, j) in self.g_sigma]
            terms += [f"{self.g_residual[(a, b)]}*{expL[b]}*{tau}" for b in range(s.n_couplings)
                      if (a, b) in self.g_residual and expL]
            h.append(self.temp("hm"))
            lines.append(f"{h[a]} = HZ[{a}, l]" + (f" + 0.5*({' + '.join(terms)})" if terms else ""))
        return lines, h

    def coupling_values(self, mid: list, h: list) -> list:
        return [f"{h[a]} = {mid[a]}" for a in range(len(h))]

    def classical_values(self, path: str, f: list) -> list:
        """Linear classical parts (the usual case: Pauli observables have f = 1) come from the array product
        ``record`` made; others are printed, reading the z they use from the arrays."""
        if self.observed_linearly:
            return [f"{f[k]} = FV{path}[{k}, l]" for k in range(len(f))]
        used = sorted(int(str(v)[2:]) for v in self.system.observables.symbols if str(v).startswith("z_"))
        return [f"z{path}{i} = Z{path}[{i}, l]" for i in used] + super().classical_values(path, f)

    def record(self, ind, paths) -> None:
        """Every z of every lane bounded (one pass, lanes innermost), the observables' linear classical parts
        FV = F z + f0 (a sparse product), then the lane kernel's record."""
        for p in paths:
            if self.observed_linearly:
                self.sparse_product(ind, self.sparse["observables"], f"Z{p}", f"FV{p}", start="OBSOFF[i]")
            ind("for i in range(NZ):")
            row = ind.nested()
            row("for l in range(nv):")
            row.nested()(f"bad_classical = bad_classical if abs(Z{p}[i, l]) < {DIVERGENCE_BOUND!r} else 1.0")
        super().record(ind, paths)

    # -- array loops -------------------------------------------------------------------------
    def sparse_product(self, ind, matrix: tuple, source: str, target: str, start: str | None = None,
                       scale: str = "") -> None:
        """target[i, l] = start_i + sum_c M[i, c] source[c, l] for every lane, over the non-zeros of CSR
        ``matrix`` (``start`` None: accumulate into target; ``start`` may use the row index i)."""
        pointers, columns, values, nnz = matrix
        if start is None and not nnz:
            return  # nothing to add (e.g. no noise: mean-field)
        ind(f"for i in range({self._rows[pointers]}):")
        row = ind.nested()
        if start is not None:
            row(f"first = {start}")
            row("for l in range(G):")
            row.nested()(f"{target}[i, l] = first")
        if not nnz:
            return
        row(f"for e in range(int({pointers}[i]), int({pointers}[i + 1])):")
        entry = row.nested()
        entry(f"c = int({columns}[e])")
        entry(f"v = {values}[e]" + (f"*{scale}" if scale else ""))
        entry("for l in range(G):")
        entry.nested()(f"{target}[i, l] += v*{source}[c, l]")

    def flow_step(self, ind, path: str, duration: str) -> None:
        """Z <- Phi Z + phi for every lane; ``duration`` is a duration's name or code choosing one at run time.
        The result goes to the spare array ZT, which then swaps places with Z (no copy)."""
        index = self.flow_index.get(duration, duration)
        ind("for i in range(NZ):")
        row = ind.nested()
        row(f"shift = PHV[{index}, i]")
        row("for l in range(G):")
        row.nested()("ZT[i, l] = shift")
        row(f"for e in range(int(PHIp[{index}, i]), int(PHIp[{index}, i + 1])):")
        entry = row.nested()
        entry("c = int(PHIc[e])")
        entry("v = PHIv[e]")
        entry("for l in range(G):")
        entry.nested()(f"ZT[i, l] += v*Z{path}[c, l]")
        ind(f"Z{path}, ZT = ZT, Z{path}")

    def couplings_at(self, ind, path: str) -> None:
        """HZ[a, l] = G_a . z + g_a for every lane."""
        if not self.system.n_couplings:
            return
        self.sparse_product(ind, self.sparse["couplings"], f"Z{path}", "HZ", start="GOFF[i]")

    def kick(self, ind, path: str, duration: str) -> None:
        """Z += sigma DY + tau F_res EL for every lane."""
        self.sparse_product(ind, self.sparse["sigma"], "DY", f"Z{path}")
        if self.residual_kick:
            self.sparse_product(ind, self.sparse["residual"], "EL", f"Z{path}", scale=self.tau[duration])

    # -- the kernel's hooks --------------------------------------------------------------------
    def emit_arrays(self, ind, paths) -> None:
        super().emit_arrays(ind, paths)
        s = self.system
        ind("ZT = np.empty((NZ, G))")
        for p in paths:
            ind(f"FV{p} = np.empty(({max(s.n_observables, 1)}, G))")
        ind("XI0 = np.empty((NZ, G))")
        ind(f"HZ = np.zeros(({max(s.n_couplings, 1)}, G))")
        ind(f"DY = np.zeros(({max(s.n_noise, 1)}, G))")
        ind(f"EL = np.zeros(({max(s.n_couplings, 1)}, G))")

    def emit_init(self, g, paths) -> None:
        """Every lane draws its z normals (lane-major), then its quantum state; z0 = mean + R xi."""
        g("for l in range(G):")
        lane = g.nested()
        lane("for i in range(NZ):")
        lane.nested()("XI0[i, l] = rng.standard_normal()")
        self.quantum_initial(g, lane, paths)
        first = paths[0]
        self.sparse_product(g, self.sparse["root"], "XI0", f"Z{first}", start="ZMEAN[i]")
        for p in paths[1:]:
            g(f"Z{p}[:, :] = Z{first}")

    def emit_start(self, sv, paths) -> None:
        super().emit_start(sv, paths)
        for p in paths:
            self.flow_step(sv, p, SCHEDULE[PATHS[p]].start)

    def emit_step(self, pr, path, duration, last_duration, other_duration) -> None:
        """Couplings (arrays), the lanes' quantum B and A, then the kick and the flow (arrays)."""
        self.couplings_at(pr, path)
        super().emit_step(pr, path, duration, last_duration, other_duration)
        self.kick(pr, path, duration)
        last, other = self.flow_index[last_duration], self.flow_index[other_duration]
        self.flow_step(pr, path, str(other) if last == other else f"({last} if last else {other})")

