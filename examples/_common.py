"""What the example scripts share: the command line (--quick, --output) and the checks that
make each example assert the physics it illustrates (exit status 1 with the reason if not)."""

import argparse
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


def figure(**kwargs):
    """A Matplotlib Figure (object interface: no pyplot state, no display needed)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        sys.exit('the examples draw with Matplotlib: pip install "cqplug[plot]"')
    return Figure(layout="constrained", **kwargs)
