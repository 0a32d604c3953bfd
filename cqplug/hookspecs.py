"""The hooks a cqplug plugin implements.

A plugin is any importable module or object, listed under the ``cqplug`` entry-point group of
its distribution::

    [project.entry-points.cqplug]
    my-models = "my_package.cqplug_plugin"

and implementing one or more of the hooks below, decorated with :data:`hookimpl`. Each hook
receives a ``register`` callback. Registration must be cheap: import heavy packages (QuTiP,
Numba, juliacall, JAX) inside the factories, never at module import time. Every factory is
called only when its name is first used.

The built-in plugins under ``plugins/`` are registered through the same entry-point group; the
only thing they have that yours lacks is precedence: a plugin cannot take a built-in's name.
"""

import pluggy

hookspec = pluggy.HookspecMarker("cqplug")
hookimpl = pluggy.HookimplMarker("cqplug")


@hookspec
def cqplug_register_models(register):
    """Register classical–quantum models.

    Call ``register(name, factory)`` once per model. ``factory()`` takes no arguments and
    returns a :class:`cqplug.Model`; its docstring's first line is the summary that
    ``cqplug list`` shows. Example::

        @hookimpl
        def cqplug_register_models(register):
            register("my-model", make_my_model)
    """


@hookspec
def cqplug_register_channels(register):
    """Register decoherence channel types.

    Call ``register(name, factory)`` once per channel type. ``factory(**options)`` returns a
    list of channel objects following :class:`cqplug.model.Channel` (usually
    :class:`cqplug.ClassicalDecoherence` and/or :class:`cqplug.QuantumDephasing`; a channel may
    act on C and Q at once). Models name their channels by this ``name`` with the options, e.g.
    ``("classical-decoherence", {"operator": "q", "rate": "gamma_c"})``.
    """


@hookspec
def cqplug_register_methods(register):
    """Register methods: unravellings (``cq``, ``cq-ket``, ``mean-field``) and reference solvers.

    Call ``register(name, factory)`` once per method. ``factory()`` returns either a
    :class:`cqplug.solving.methods.TrajectoryMethod`, which only says which quantum state its
    trajectories carry (``state``) and how it chooses the noise terms (``terms(problem)``:
    classical noise, measurement strengths, unconditioned dephasing), or a
    :class:`cqplug.solving.methods.ReferenceMethod` with ``solve(problem, options) -> Result``.
    A method may declare its options as a dataclass ``Options`` on its class.
    """


@hookspec
def cqplug_register_backends(register):
    """Register integrator backends for ensembles of trajectories.

    Call ``register(name, factory)`` once per backend. ``factory(**options)`` returns a
    :class:`cqplug.solving.backend.Backend` whose ``prepare(system)`` receives only the
    backend-neutral :class:`cqplug.system.CompiledSystem` and returns a runner that integrates
    seed blocks (see :mod:`cqplug.solving.backend`). The backend's options are the fields of
    its class attribute ``Options`` (a dataclass), passed to ``factory`` as keyword arguments.
    ``factory`` must not import heavy or optional packages; ``Backend.check_available()`` must
    be fast and must never download.
    """
