"""Errors of the imports room: a file or a mapping that cannot be used at all. Problems with
single rows are not errors: they go to the row-level report."""

from memberops.kernel.errors import InvalidInput


class UnreadableFile(InvalidInput):
    """The file is missing, not a CSV or XLSX file, not UTF-8 or GBK text, or not a table."""

    code = "imports.unreadable_file"
    title = "The file cannot be read"


class UnknownPreset(InvalidInput):
    """No column mapping preset has this name; ``presets`` lists the known ones."""

    code = "imports.unknown_preset"
    title = "No such import preset"


class BadMapping(InvalidInput):
    """The column mapping does not fit the file: it names a column the file lacks or a field
    that does not exist, or no column maps to an identity."""

    code = "imports.bad_mapping"
    title = "The column mapping does not fit the file"
