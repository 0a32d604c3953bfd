"""What the example scripts share: the command line (--quick, --output) and the checks that
make each example assert the physics it illustrates (exit status 1 with the reason if not)."""

import argparse
import io
import sys


def parser(doc: str, figure: str) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small ensembles and grids (seconds; what CI runs)")
    ap.add_argument("--output", "-o", default=figure, help=f"figure file (default {figure})")
    return ap


def check(condition: bool, claim: str) -> None:
    """Print the physical claim with PASS, or stop with FAIL (exit status 1)."""
    print(f"  [{'PASS' if condition else 'FAIL'}] {claim}")
    if not condition:
        sys.exit(f"check failed: {claim}")


def save(fig, path, dpi: int = 80) -> None:
    """Write the figure; a PNG as a 256-colour palette image (a third of the size, the same to the
    eye for line plots and heat maps) through Pillow, which Matplotlib itself depends on."""
    if not str(path).lower().endswith(".png"):
        fig.savefig(path, dpi=dpi)
        return
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    Image.open(buffer).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def figure(**kwargs):
    """A Matplotlib Figure (object interface: no pyplot state, no display needed)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        sys.exit('the examples draw with Matplotlib: pip install "cqplug[plot]"')
    return Figure(layout="constrained", **kwargs)
