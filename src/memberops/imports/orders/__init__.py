"""Order history files read into validated orders and refunds — the reading half of
``memberops import orders FILE --preset generic|uci|cdnow``. Writes nothing: each chunk of
:func:`~memberops.imports.orders.read.read_orders` goes to the activity room's write service.

Invariants: every data row of a file ends in exactly one of an order (``ParsedOrder.rows``), a
refund (``ParsedRefund.rows``) or the row-level report (the imports room's ``Problem``: row,
column, value, reason); money is exact integer cents (``decimal.Decimal``, never floats); every
time is timezone-aware (files without offsets are read in a zone, the preset's by default);
external ids are derived from the file alone, so reading the same file again gives the same
orders and refunds. Memory holds one chunk plus what a preset remembers across chunks, never
the file. The rules each preset applies are in ``generic.py``, ``uci.py`` (with ``ledger.py``
for matching cancellations) and ``cdnow.py``.
"""
