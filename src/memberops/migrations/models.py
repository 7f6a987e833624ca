"""Every room's tables on one metadata, for migrations (the rooms stay unaware of each other)."""

from memberops.activity import models as activity_models
from memberops.identity import models as identity_models
from memberops.imports import models as imports_models
from memberops.kernel.db import Base
from memberops.members import models as members_models
from memberops.tenancy import models as tenancy_models

ROOM_MODELS = (tenancy_models, members_models, identity_models, activity_models, imports_models)
metadata = Base.metadata
