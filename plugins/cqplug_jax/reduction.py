"""Per seed block and saved time, on the device: the moments core merges, histogram counts, flags.

A step function calls :func:`block_statistics` at every saved time with the batch's values there,
so nothing of size (trajectories x saved times) is ever stored: a GPU batch of 10^6 trajectories
needs memory for its states only. Moments are two-pass within each block of 512 (exact as the
cpu backend's); the rows beyond a block's ``counts`` (a partial last block, or padding) are
masked out. Histograms have ``HIST_CELLS`` cells whatever the requested bins (the rest stay
empty), so a pilot run with one bin and the main run share one compiled function.
"""

from __future__ import annotations

import jax.numpy as jnp

from cqplug.solving.backend import BLOCK_SIZE as BLOCK
from cqplug.system.step_plan import DIVERGENCE_BOUND

HIST_CELLS = 64  # compiled histogram width (bins + 2 cells used); more bins recompile with a wider one


def histogram_cells(bins: int) -> int:
    """The compiled histogram width for ``bins`` bins (a power of two >= bins + 2, at least HIST_CELLS)."""
    cells = HIST_CELLS
    while cells < bins + 2:
        cells *= 2
    return cells


def block_statistics(values, coarse, z, counts, low, width, bins, cells: int, step_error: bool) -> dict:
    """values, coarse (K, N) and z (2n, N) at one saved time, N = 512 * len(counts)."""
    n_blocks = counts.shape[0]
    mask = jnp.arange(BLOCK)[None, :] < counts[:, None]  # (blocks, 512)
    safe = jnp.maximum(counts, 1.0)[:, None]

    def per_block(x):  # (k, N) -> (k, blocks, 512)
        return x.reshape(x.shape[0], n_blocks, BLOCK)

    def moments(x):
        mean = jnp.sum(jnp.where(mask, x, 0.0), axis=-1) / safe.T
        return mean, jnp.where(mask, x - mean[..., None], 0.0)

    f = per_block(values)
    mean, deviation = moments(f)
    out = {"mean": mean.T, "m2": jnp.sum(deviation ** 2, axis=-1).T}
    if step_error:
        diff_mean, diff_deviation = moments(per_block(coarse) - f)
        out.update(diff_mean=diff_mean.T, diff_m2=jnp.sum(diff_deviation ** 2, axis=-1).T,
                   co_m2=jnp.sum(deviation * diff_deviation, axis=-1).T)
    zz = per_block(z)  # (2n, blocks, 512)
    variables = low.shape[0]  # the histogrammed variables come first (none for a large bath)
    position = (zz[:variables] - low[:, None, None]) / width[:, None, None]
    index = jnp.where(position < 0, 0, jnp.where(position < bins, jnp.floor(position) + 1, bins + 1))
    index = jnp.where(jnp.isnan(position), bins + 1, index).astype(jnp.int32)
    cell = (jnp.arange(n_blocks)[None, :, None] * variables + jnp.arange(variables)[:, None, None]) * cells + index
    counts_flat = jnp.zeros(n_blocks * variables * cells, jnp.int32).at[cell.ravel()].add(
        jnp.broadcast_to(mask, cell.shape).astype(jnp.int32).ravel())
    out["hist"] = counts_flat.reshape(n_blocks, variables, cells)
    out["bad_z"] = jnp.any(mask & ~jnp.all(jnp.abs(zz) <= DIVERGENCE_BOUND, axis=0), axis=-1)
    out["bad_q"] = jnp.any(mask & ~jnp.all(jnp.isfinite(f), axis=0), axis=-1)
    out["paths"], out["path_z"] = values[:, :BLOCK].T, z[:, :BLOCK].T
    return out
