"""Errors of the tenancy room."""

from memberops.kernel.errors import Conflict, InvalidInput, NotFound, Unauthenticated


class TenantNotFound(NotFound):
    code = "tenancy.tenant_not_found"
    title = "No such tenant"


class TenantExists(Conflict):
    code = "tenancy.tenant_exists"
    title = "Tenant already exists"


class InvalidCredentials(Unauthenticated):
    code = "auth.invalid_credentials"
    title = "Invalid credentials"


class InvalidTenantSetting(InvalidInput):
    code = "tenancy.invalid_setting"
    title = "Invalid tenant setting"


class CodeExists(Conflict):
    code = "tenancy.code_exists"
    title = "Code already in use"


class ApiKeyNotFound(NotFound):
    """No key with this prefix (the 12 hex digits after ``mo_``) belongs to the tenant."""

    code = "tenancy.api_key_not_found"
    title = "No such API key"
