"""What the example scripts share: the command line (--quick, --output) and the checks that
make each example assert the physics it illustrates (exit status 1 with the reason if not)."""

import argparse
import io
import os
import sys


class _Parser(argparse.ArgumentParser):
    """Resolves the figure's path after parsing: ``--output`` as given, else ``--output-dir``/name, the
    folder created (never the current directory unasked)."""

    figure = ""

    def parse_args(self, *args, **kwargs):
        parsed = super().parse_args(*args, **kwargs)
        if parsed.output is None:
            os.makedirs(parsed.output_dir, exist_ok=True)
            parsed.output = os.path.join(parsed.output_dir, self.figure)
        return parsed


def parser(doc: str, figure: str) -> argparse.ArgumentParser:
    ap = _Parser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.figure = figure
    ap.add_argument("--quick", action="store_true", help="small ensembles and grids (seconds; what CI runs)")
    ap.add_argument("--output-dir", default="figures", help="folder for the figure, created if missing (default "
                                                            "figures/)")
    ap.add_argument("--output", "-o", default=None, help=f"figure file (default OUTPUT_DIR/{figure})")
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
