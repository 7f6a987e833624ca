"""The one condition language of memberops (SPEC §5 rule tags, §7 crowds): a JSON tree of
AND / OR / NOT over named fields, validated by pydantic, compiled to one SQLAlchemy Core query
of member ids.

Imports no room: each room declares the fields it owns in its own ``conditions.py`` and the
app registers them (``memberops.wiring``), so rooms below can be filtered on without this
package knowing them.
"""
