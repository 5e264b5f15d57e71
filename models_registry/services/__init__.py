"""State changes with consequences, one module per area, re-exported here.

Views, admin hooks, management commands and tests all call these functions.
"""

from .demo import load_demo_data
from .imports import ImportResult, RowError, import_models, import_units
from .practice_models import publish_practice_model, save_draft, unique_slug
from .units import add_unit, move_unit

__all__ = [
    "ImportResult",
    "RowError",
    "add_unit",
    "import_models",
    "import_units",
    "load_demo_data",
    "move_unit",
    "publish_practice_model",
    "save_draft",
    "unique_slug",
]
