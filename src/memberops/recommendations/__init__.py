"""Product recommendations (SPEC §6's last item): what to suggest to a member in messages and on
the member page.

Owns ``product_neighbours`` (for each SKU, its top co-purchased SKUs with a cosine similarity)
and ``product_figures`` (each SKU sold in the window: name, category, buyers, first sale), both
rebuilt set-based from activity's order lines by the daily job (``jobs.py``) and read by
``service.recommend``, which blends, for one member, items bought together with theirs, top
sellers of their favourite categories, new arrivals when they hold the ``novelty_seeker`` tag
and the tenant's top sellers when they hold ``herd`` — never what they already bought, each
item with its reason.

Invariants: a rebuild replaces the tenant's rows whole in the caller's transaction (a failure
keeps the previous ones); only orders not wholly refunded and paid before the rebuild's moment
count. Publishes nothing and subscribes to nothing: the rows hold SKUs, not members, so a
merge moves nothing here. ``wiring`` hands :func:`service.product_names` to messaging, which
fills the ``recommended_products`` template field with it.
"""
