"""The growth rules' verb: store them once every coupon template they name exists."""

from sqlalchemy.orm import Session

from memberops.growth.rules import GrowthRules
from memberops.loyalty.coupons.templates import require_templates
from memberops.tenancy.access import Principal
from memberops.tenancy.sections import save_section


def _named_templates(rules: GrowthRules) -> list[tuple[list[str | int], int]]:
    """(location in the body, template id) of every coupon template the rules name."""
    gifts: list[tuple[list[str | int], list[int]]] = [
        (["referral", "referrer"], rules.referral.referrer.coupon_template_ids),
        (["referral", "newcomer"], rules.referral.newcomer.coupon_template_ids),
    ]
    gifts += [(["join_packs", str(s)], g.coupon_template_ids) for s, g in rules.join_packs.items()]
    return [([*loc, "coupon_template_ids", i], t) for loc, ids in gifts for i, t in enumerate(ids)]


def save_rules(session: Session, principal: Principal, rules: GrowthRules) -> GrowthRules:
    """Store the tenant's growth rules (audited); 422 naming each unknown coupon template."""
    require_templates(session, principal, _named_templates(rules))
    return save_section(session, principal, rules)
