"""Generated kernels as real modules in a cache directory, so Numba can cache their machine code.

Numba's ``cache=True`` needs a function defined in a file (source compiled with ``exec`` has no
"locator"). The kernel source is written to ``<cache>/k_<hash>.py`` (hash of the source and the
Numba version) and imported from there; Numba keeps the compiled code in ``__pycache__`` beside
it, so a later process with the same kernel loads instead of compiling. The cache is
``$CQPLUG_CACHE_DIR``, else ``$XDG_CACHE_HOME/cqplug/kernels``, else ``~/.cache/cqplug/kernels``;
where none is writable, a temporary directory (compiled code then lasts one process).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
from pathlib import Path

_LOADED: dict = {}
_LOCK = threading.Lock()


def cache_directory() -> Path:
    explicit = os.environ.get("CQPLUG_CACHE_DIR")
    base = Path(explicit) if explicit else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / \
        "cqplug" / "kernels"
    try:
        base.mkdir(parents=True, exist_ok=True)
        probe = base / f".probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
        return base
    except OSError:
        fallback = Path(tempfile.gettempdir()) / f"cqplug-kernels-{os.getuid() if hasattr(os, 'getuid') else 0}"
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback


def load_module(source: str):
    """The module defined by ``source``, written to (or found in) the cache and imported once per process."""
    import numba

    digest = hashlib.sha256((source + numba.__version__).encode()).hexdigest()[:20]
    with _LOCK:
        if digest in _LOADED:
            return _LOADED[digest]
        path = cache_directory() / f"k_{digest}.py"
        if not path.exists() or path.read_text() != source:
            tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
            tmp.write_text(source)
            os.replace(tmp, path)
        name = f"cqplug_kernel_{digest}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _LOADED[digest] = module
        return module
