"""``cqplug new-plugin NAME``: write a working, tested plugin package to start a model from.

The package (``cqplug-NAME/``) has a pyproject.toml with the entry point, a module registering
the model NAME (an oscillator–qubit model to edit), a test comparing CQ trajectories with the
exact reference, and a README. The files come from ``cqplug/scaffold/template/`` with the
placeholders $name, $package, $distribution, $function and $summary filled in.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from ..errors import CQPlugError

TEMPLATE = Path(__file__).parent / "template"
NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


def new_plugin(name: str, directory=".") -> Path:
    """Create ``directory/cqplug-NAME`` (``directory`` must exist) and return its path; refuses to
    overwrite anything."""
    if not NAME.fullmatch(name):
        raise CQPlugError(f"plugin name {name!r}: use lower-case letters, digits and single hyphens, "
                          "starting with a letter (e.g. 'double-well')")
    values = {
        "name": name,
        "distribution": f"cqplug-{name}",
        "package": "cqplug_" + name.replace("-", "_"),
        "function": name.replace("-", "_") + "_model",
        "summary": f"The model {name!r} (edit model.py to describe it).",
    }
    parent = Path(directory)
    if not parent.is_dir():
        raise CQPlugError(f"--directory {parent} does not exist (or is not a directory); create it first")
    root = parent / values["distribution"]
    if root.exists():
        raise CQPlugError(f"{root} already exists; choose another name or --directory")
    for template in sorted(TEMPLATE.rglob("*.tmpl")):
        relative = template.relative_to(TEMPLATE).with_suffix("")  # drop .tmpl
        parts = [values["package"] if part == "package" else part for part in relative.parts]
        target = root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(template.read_text()).substitute(values))
    return root
