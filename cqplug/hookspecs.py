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
    list of channel objects built from the four public primitives, which every method and
    backend integrates without knowing the channel:

    * :class:`cqplug.QuantumLindblad` ``(J, rate)``: ``rate D[J]`` for any d x d matrix J on Q
      (or a stack of them, or a function of d returning one), e.g. amplitude damping;
    * :class:`cqplug.ClassicalLindblad` ``(l, rate)``: ``rate D[l(z)]`` for l linear in z with
      complex coefficients written with ``I``, e.g. ``"sqrt(m*omega/2)*(q + I*p/(m*omega))"``
      (or a :class:`cqplug.Linear` of its complex coefficients, for a bath of many modes):
      friction plus diffusion of C;
    * :class:`cqplug.ClassicalDecoherence` ``(X, rate)`` and :class:`cqplug.QuantumDephasing`
      ``(rate, coupling=a)``: the double commutators ``-rate [X, [X, rho]] = 2 rate D[X]`` of
      C, and of Q in the span of the coupling operators.

    ``D[J] rho = J rho J^+ - {J^+ J, rho}/2``; ``rate`` is the name of a model parameter (the
    Lindblad primitives also take ``scale``, an expression of parameters multiplying it).
    Raise :class:`cqplug.InvalidProblem` for bad options. Models name their channels by this
    ``name`` with the options, e.g. ``("classical-decoherence", {"operator": "q", "rate":
    "gamma_c"})``. Example::

        def spontaneous_emission(rate):
            \"\"\"The qubit decays: rate D[sigma_-].\"\"\"
            return [cqplug.QuantumLindblad([[0, 0], [1, 0]], rate, name="sigma_-")]

        @hookimpl
        def cqplug_register_channels(register):
            register("spontaneous-emission", spontaneous_emission)
    """


@hookspec
def cqplug_register_methods(register):
    """Register methods: unravellings (``cq``, ``cq-ket``, ``mean-field``) and reference solvers.

    Call ``register(name, factory)`` once per method. ``factory()`` returns either a
    :class:`cqplug.solving.methods.TrajectoryMethod`, which only says which quantum state its
    trajectories carry (``state``) and how it chooses the noise terms (``terms(problem)``:
    classical noise, measurement strengths, unconditioned dephasing), or a
    :class:`cqplug.solving.methods.ReferenceMethod` with ``solve(problem, shared, options) ->
    Result`` (a deterministic result whose ``info.summary`` says how it was computed; ``exact =
    True`` makes it the reference ``cqplug run --reference`` compares with).
    A method may declare its options as a dataclass ``Options`` on its class: a trajectory method
    reads the run's values as ``self.options`` in ``terms``, a reference method receives them.
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
    be fast and must never download. A backend that keeps per-step records (``record=True``)
    sets ``keeps_records = True`` on its class and on ``factory`` and implements ``Runner.records``.
    """
