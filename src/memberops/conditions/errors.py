"""Errors of the condition language: a tree that does not parse, or names a field, an operator
or a value that its field cannot take."""

from memberops.kernel.errors import InvalidInput


class InvalidCondition(InvalidInput):
    """The condition cannot be evaluated: its shape, a field it names (unknown, or an operator
    its type has no use for) or a value (wrong type, out of range). ``path`` is where in the
    tree (``all.1.not.value``); ``errors`` gives the full location of each problem."""

    code = "conditions.invalid"
    title = "Invalid condition"
