"""All SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from core.models.approvals import *  # noqa: F401,F403
from core.models.base import Base  # noqa: F401
from core.models.common import *  # noqa: F401,F403
from core.models.crm import *  # noqa: F401,F403
from core.models.office import *  # noqa: F401,F403
from core.models.org import *  # noqa: F401,F403
