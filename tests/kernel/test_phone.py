"""Phone normalisation: one E.164 key however a number is written, read in the tenant's region
when it has no country code; anything else is ``identity.invalid``."""

import pytest

from memberops.identity.errors import InvalidIdentity
from memberops.identity.models import IdentityType
from memberops.identity.normalise import identity_key, keys_of, normalise_phone
from memberops.identity.schemas import IdentityIn

CN_MOBILE = "+8613800138000"


@pytest.mark.parametrize(
    ("written", "region", "e164"),
    [
        # A CN mobile, however it is written, in a CN tenant.
        ("13800138000", "CN", CN_MOBILE),
        ("138 0013 8000", "CN", CN_MOBILE),
        ("138-0013-8000", "CN", CN_MOBILE),
        ("1 3 8 0 0 1 3 8 0 0 0", "CN", CN_MOBILE),
        ("+86 138 0013 8000", "CN", CN_MOBILE),
        ("+8613800138000", "CN", CN_MOBILE),
        ("(+86) 138-0013-8000", "CN", CN_MOBILE),
        ("8613800138000", "CN", CN_MOBILE),
        ("008613800138000", "CN", CN_MOBILE),
        ("１３８００１３８０００", "CN", CN_MOBILE),  # full-width digits
        (" 13800138000 ", "CN", CN_MOBILE),
        # With a country code the tenant's region does not matter.
        ("+86 138 0013 8000", "US", CN_MOBILE),
        ("011 86 138 0013 8000", "US", CN_MOBILE),  # dialled from the US
        ("+1 650-253-0000", "CN", "+16502530000"),
        ("+1 (201) 555-0123", "CN", "+12015550123"),
        ("+44 20 7946 0958", "CN", "+442079460958"),
        # A CN landline with its area code.
        ("010-6552 9988", "CN", "+861065529988"),
        # A US tenant reads local numbers as US numbers.
        ("(650) 253-0000", "US", "+16502530000"),
        ("650.253.0000", "US", "+16502530000"),
        ("1-650-253-0000", "US", "+16502530000"),
    ],
)
def test_normalises_to_e164(written: str, region: str, e164: str) -> None:
    assert normalise_phone(written, region) == e164


@pytest.mark.parametrize(
    ("written", "region", "detail"),
    [
        ("abc", "CN", "'abc' is not a phone number."),
        ("", "CN", "'' is not a phone number."),
        ("12345", "CN", "'12345' is not a valid phone number."),
        ("1380013800", "CN", "'1380013800' is not a valid phone number."),  # one digit short
        ("23800138000", "CN", "'23800138000' is not a valid phone number."),
        ("6502530000", "CN", "'6502530000' is not a valid phone number."),  # US local, CN tenant
        ("+1 555 0100", "US", "'+1 555 0100' is not a valid phone number."),
    ],
)
def test_invalid_numbers_are_refused(written: str, region: str, detail: str) -> None:
    with pytest.raises(InvalidIdentity) as caught:
        normalise_phone(written, region)
    assert caught.value.code == "identity.invalid"
    assert caught.value.status == 422
    assert caught.value.detail == detail


def test_identity_key_uses_the_tenant_region() -> None:
    local = IdentityIn(type=IdentityType.phone, value="(650) 253-0000")
    assert identity_key(local, "US") == (IdentityType.phone, "", "+16502530000")
    with pytest.raises(InvalidIdentity):
        identity_key(local, "CN")


def test_keys_of_deduplicates_formats_and_names_the_bad_item() -> None:
    same = [
        IdentityIn(type=IdentityType.phone, value="138 0013 8000"),
        IdentityIn(type=IdentityType.phone, value="+86 138-0013-8000"),
    ]
    assert keys_of(same, "CN") == [(IdentityType.phone, "", CN_MOBILE)]
    bad = [*same, IdentityIn(type=IdentityType.phone, value="12345")]
    with pytest.raises(InvalidIdentity) as caught:
        keys_of(bad, "CN")
    assert caught.value.fields == {
        "errors": [
            {
                "loc": ["body", "identities", 2, "value"],
                "msg": "'12345' is not a valid phone number.",
            }
        ]
    }
