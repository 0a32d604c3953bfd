"""Model expressions: text parsed into SymPy through a whitelist, never executed.

A model's classical Hamiltonian, couplings, observables and channel operators may be given as
strings such as ``"p**2/(2*m) + m*omega**2*q**2/2"``. They are parsed with Python's ``ast``
module and converted node by node: numbers, the model's own symbols, ``pi``, the arithmetic
operators ``+ - * / **`` and the functions in :data:`FUNCTIONS`. Anything else (attribute
access, subscripts, keyword arguments, lambdas, names the model does not declare) is refused
with :class:`~cqplug.errors.InvalidProblem` before any code could run. ``sympy.sympify`` is
never called on user text, because it evaluates its input with Python's ``eval``.
"""

from __future__ import annotations

import ast

import sympy as sp

from ..errors import InvalidProblem

FUNCTIONS = {
    "sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "asin": sp.asin, "acos": sp.acos, "atan": sp.atan,
    "abs": sp.Abs,
}
CONSTANTS = {"pi": sp.pi}
_BINARY = {ast.Add: sp.Add, ast.Sub: lambda a, b: a - b, ast.Mult: sp.Mul, ast.Div: lambda a, b: a / b,
           ast.Pow: sp.Pow}


def parse_expression(text: str, symbols: dict, what: str) -> sp.Expr:
    """The SymPy expression written in ``text``, over ``symbols`` ({name: Symbol}).

    Raises InvalidProblem naming ``what`` (e.g. "the classical Hamiltonian") for anything that
    is not plain arithmetic on known names.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise InvalidProblem(f"cannot parse {what} {text!r}: {exc.msg}") from None

    def convert(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return sp.Integer(node.value) if isinstance(node.value, int) else sp.Float(node.value)
        if isinstance(node, ast.Name):
            if node.id in symbols:
                return symbols[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            raise InvalidProblem(f"{what} {text!r} uses unknown name {node.id!r}; known: "
                                 f"{', '.join(sorted(symbols))} and pi")
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](convert(node.left), convert(node.right))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor):
            raise InvalidProblem(f"{what} {text!r}: '^' is not a power; write '**'")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = convert(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS \
                and not node.keywords and len(node.args) == 1:
            return FUNCTIONS[node.func.id](convert(node.args[0]))
        allowed = "numbers, the model's symbols, pi, + - * / ** and " + ", ".join(sorted(FUNCTIONS))
        raise InvalidProblem(f"{what} {text!r}: {ast.unparse(node)!r} is not allowed in a model expression "
                             f"(allowed: {allowed})")

    return sp.sympify(convert(tree.body))


def as_expression(value, symbols: dict, what: str) -> sp.Expr:
    """A string (parsed safely), number or SymPy expression, using only ``symbols``.

    Plain SymPy symbols with a known name are replaced by the model's own (real) symbols, so
    ``sympy.Symbol("q")`` and the model's ``q`` are the same variable.
    """
    if isinstance(value, str):
        return parse_expression(value, symbols, what)
    if isinstance(value, bool) or not isinstance(value, (int, float, sp.Basic)):
        raise InvalidProblem(f"{what} must be a string, a number or a SymPy expression, got {type(value).__name__}")
    expr = sp.sympify(value)  # a number or SymPy object: no text is evaluated
    expr = expr.xreplace({sp.Symbol(name): s for name, s in symbols.items()})
    unknown = sorted(str(s) for s in expr.free_symbols if str(s) not in symbols or symbols[str(s)] != s)
    if unknown:
        raise InvalidProblem(f"{what} {expr} uses unknown symbol(s) {unknown}; known: {', '.join(sorted(symbols))}")
    return expr
