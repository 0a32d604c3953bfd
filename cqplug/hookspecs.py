"""The hooks a cqplug plugin implements.

A plugin is any importable module or object, listed under the ``cqplug`` entry-point group of
its distribution::

    [project.entry-points.cqplug]
    my-models = "my_package.cqplug_plugin"

and implementing one or more of the hooks below, decorated with :data:`hookimpl`. Each hook
receives a ``register`` callback. Registration must be cheap: import heavy packages (QuTiP,
Numba, juliacall) inside the factories, never at module import time. Every factory is called
only when its name is first used.

The built-in plugins under ``plugins/`` are registered through the same entry-point group and
have no privilege a user's plugin lacks.
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
    list of :class:`cqplug.ClassicalDecoherence` and/or :class:`cqplug.QuantumDephasing`
    (a channel may act on C and Q at once). Models name their channels by this ``name``
    with the options, e.g. ``("position-decoherence", {"operator": "q", "rate": "gamma_c"})``.
    """


@hookspec
def cqplug_register_methods(register):
    """Register methods: unravellings (``cq``, ``cq-ket``, ``mean-field``) and reference solvers.

    Call ``register(name, factory)`` once per method. ``factory()`` returns an object with
    ``name``, ``summary``, ``uses_backend`` (bool) and
    ``solve(problem, backend, options) -> cqplug.Result``. Trajectory methods subclass
    :class:`cqplug.methods.TrajectoryMethod`, which only has to say how it transforms the
    CQ terms (noise, back-reaction, dephasing) and whether it carries a ket or a density matrix.
    """


@hookspec
def cqplug_register_backends(register):
    """Register integrator backends for ensembles of trajectories.

    Call ``register(name, factory)`` once per backend. ``factory(**config)`` returns a
    :class:`cqplug.backend.Backend`; ``config`` holds the backend options the user gave (today
    ``solver``), and a factory that accepts none is called with none. ``factory`` must not import
    heavy or optional packages before it is called; ``Backend.check_available()`` must be fast
    and must never download.
    """
