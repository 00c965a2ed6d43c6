"""Rows that pages build from ``values()`` instead of model instances."""


class Row(dict):
    """A dictionary whose keys also read as attributes (``row.person.name``), like the model it replaces.

    Templates look keys up first, so a template written for model instances reads a Row unchanged;
    Rows pickle as plain dictionaries do (cached figures).
    """

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError as error:
            raise AttributeError(name) from error
