"""Built-in method "lindblad": the exact open-quantum reference (QuTiP mesolve, C quantised).

QuTiP is imported only when the method runs (``pip install cqplug[reference]``).
"""

from cqplug.hookspecs import hookimpl


def lindblad():
    """Exact reference: C quantised on a truncated Fock basis (automatic, convergence-checked), QuTiP mesolve."""
    from .reference import LindbladReference

    return LindbladReference()


@hookimpl
def cqplug_register_methods(register):
    register("lindblad", lindblad)
